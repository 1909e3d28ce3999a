package atelier.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory readings and child processes for the upscale benchmarks: each configuration runs in a
 * fresh JVM so its peak resident memory (which includes ONNX Runtime's native memory) is its own.
 */
final class Measure {
  private Measure() {}

  /** Peak resident set size of this process in MiB ({@code VmHWM}), or -1 off Linux. */
  static double peakRssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Peak Java heap used so far, in MiB. */
  static double peakHeapMiB() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum / (1024.0 * 1024.0);
  }

  /**
   * Runs {@code mainClass} with {@code args} in a new JVM with this one's class path and heap
   * limit, inheriting its output; returns the exit code.
   */
  static int child(Class<?> mainClass, List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    long max = Runtime.getRuntime().maxMemory();
    cmd.add("-Xmx" + (max / (1024 * 1024)) + "m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(args);
    return new ProcessBuilder(cmd).inheritIO().start().waitFor();
  }
}
