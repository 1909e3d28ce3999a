package atelier.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import atelier.BadRequestException;
import atelier.CancelledException;
import atelier.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ONNX Runtime's process-wide state: the environment, started once on a thread of its own, and the
 * {@link NativeGate} every native call of {@link OnnxModel} passes.
 *
 * <p>Two crashes of the whole JVM are kept out here (docs/native.md):
 *
 * <ul>
 *   <li>ONNX Runtime's start-up (its Linux telemetry) parses {@code /proc/self/cmdline}
 *       recursively, about 250 bytes of stack per byte of the command line, so a long prompt
 *       overflowed the 1 MiB stack of the JVM's main thread (exit 139, no message). The environment
 *       is therefore created on a thread whose stack is sized from the command line's length,
 *       whichever thread asks first.
 *   <li>The JVM's exit runs ONNX Runtime's static destructors; a thread still inside a session then
 *       crashes in {@code libonnxruntime.so}. A shutdown hook closes the gate: running sessions are
 *       told to stop, the hook waits for every native call to leave, and later calls are refused
 *       with {@link CancelledException}. (A crash inside {@code createSession} during the exit is
 *       not explained yet; see docs/native.md.)
 * </ul>
 *
 * <p>The log severity of ONNX Runtime's own messages is {@code error}, or the system property
 * {@value #LOG_PROPERTY} ({@code verbose}, {@code info}, {@code warning}, {@code error}, {@code
 * fatal}); failures reach callers as Atelier's exceptions whatever it says. Thread-safe.
 */
final class OrtRuntime {
  /** System property naming the severity of ONNX Runtime's log. */
  static final String LOG_PROPERTY = "atelier.ort.log";

  /** How long the JVM's exit waits for native calls to leave ONNX Runtime. */
  private static final long EXIT_WAIT_MILLIS = 300_000;

  static final NativeGate GATE = new NativeGate();

  private static volatile OrtEnvironment env;
  private static boolean exitHookAdded; // guarded by OrtRuntime.class

  private OrtRuntime() {}

  /**
   * The environment, created on first use.
   *
   * @throws ModelLoadException when ONNX Runtime cannot start on this platform
   * @throws CancelledException when the JVM is already shutting down
   */
  static OrtEnvironment env() {
    OrtEnvironment e = env;
    if (e != null) {
      return e;
    }
    synchronized (OrtRuntime.class) {
      if (env == null) {
        env = start();
      }
      return env;
    }
  }

  private static OrtEnvironment start() {
    if (!exitHookAdded) {
      try {
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(() -> GATE.drain(EXIT_WAIT_MILLIS), "atelier-onnxruntime-exit"));
        exitHookAdded = true;
      } catch (IllegalStateException shuttingDown) {
        throw new CancelledException("ONNX Runtime not started: the JVM is shutting down");
      }
    }
    OrtLoggingLevel level = logLevel(System.getProperty(LOG_PROPERTY));
    AtomicReference<Object> result = new AtomicReference<>();
    Thread starter =
        new Thread(
            null,
            () -> {
              try {
                result.set(OrtEnvironment.getEnvironment(level, "atelier"));
              } catch (Throwable t) {
                result.set(t);
              }
            },
            "atelier-onnxruntime-start",
            startStackBytes(commandLineBytes()));
    starter.start();
    boolean interrupted = false;
    while (starter.isAlive()) {
      try {
        starter.join();
      } catch (InterruptedException ie) {
        interrupted = true; // ONNX Runtime's start cannot be abandoned half way; finish it
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (result.get() instanceof OrtEnvironment started) {
      return started;
    }
    Throwable t = (Throwable) result.get();
    if (t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("Shutdown")) {
      throw new CancelledException("ONNX Runtime not started: the JVM is shutting down", t);
    }
    throw new ModelLoadException("ONNX Runtime could not start on this machine: " + t, t);
  }

  /**
   * The stack for ONNX Runtime's start: 16 MiB plus 512 bytes per byte of the command line (twice
   * the measured need), so even the largest command line Linux allows starts.
   */
  static long startStackBytes(long commandLineBytes) {
    return (16L << 20) + 512L * commandLineBytes;
  }

  /** The length of {@code /proc/self/cmdline}; 0 where there is none (not Linux). */
  static long commandLineBytes() {
    Path cmdline = Path.of("/proc/self/cmdline");
    try {
      return Files.isReadable(cmdline) ? Files.readAllBytes(cmdline).length : 0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The severity named by {@link #LOG_PROPERTY}; {@code error} when unset. */
  static OrtLoggingLevel logLevel(String name) {
    if (name == null || name.isBlank()) {
      return OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
    }
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "verbose" -> OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE;
      case "info" -> OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO;
      case "warning" -> OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING;
      case "error" -> OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
      case "fatal" -> OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
      default ->
          throw new BadRequestException(
              LOG_PROPERTY
                  + ": expected verbose, info, warning, error or fatal, found '"
                  + name
                  + "'");
    };
  }
}
