package atelier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scaling harness on the tiny test model: every configuration runs in its own child JVM and the
 * table has one row per configuration with a time and a peak RSS (timings are not checked).
 */
class ScalingBenchmarkTest {
  private static final String MODELS = "../core/src/test/resources/models/";

  @Test
  void theConfigurationsFollowTheTableOrderWithoutRepeats() {
    List<ScalingBenchmark.Config> c =
        ScalingBenchmark.configs(List.of(256, 512, 768), List.of(1, 2, 4), 512, List.of(512), true);
    assertThat(c)
        .extracting(x -> x.stage() + " " + x.size() + " " + x.batch() + " " + x.variant())
        .containsExactly(
            "unet 256 1 -",
            "unet 512 1 -",
            "unet 768 1 -",
            "unet 512 2 -",
            "unet 512 4 -",
            "vae 512 1 whole",
            "vae 512 1 tiled",
            "taesd 512 1 -");
  }

  @Test
  void badOptionsAreRefusedBeforeAnyChildStarts() {
    assertThatThrownBy(() -> ScalingBenchmark.main(new String[] {"--model", "no-such-folder"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--model: expected a model folder with unet/model.onnx");
    assertThatThrownBy(
            () ->
                ScalingBenchmark.main(
                    new String[] {"--model", MODELS + "sd15-optimum-1.22", "--sizes", "100"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sizes: expected multiples of 8 pixels (the latents are an eighth), found 100");
    assertThatThrownBy(() -> ScalingBenchmark.main(new String[] {"--quick", "--runs", "x"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--runs: expected positive whole numbers separated by commas, found \"x\"");
  }

  @Test
  void aQuickRunPrintsOneRowPerConfiguration() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      ScalingBenchmark.main(
          new String[] {
            "--quick",
            "--model",
            MODELS + "sd15-optimum-1.22",
            "--taesd",
            MODELS + "taesd-tiny",
            "--sizes",
            "64",
            "--batches",
            "1,2",
            "--vae-sizes",
            "64",
            "--threads",
            "1"
          });
    } finally {
      System.setOut(saved);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    List<String> lines = Arrays.asList(text.split("\n"));
    int header = lines.indexOf(ScalingBenchmark.HEADER);
    assertThat(header).as(text).isPositive();
    List<String> rows = lines.subList(header + 1, lines.size());
    assertThat(rows)
        .as(text)
        .extracting(
            r -> {
              List<String> f = Arrays.asList(r.trim().split("\\s+"));
              return String.join(" ", f.subList(0, f.size() - 3)); // all but the three figures
            })
        .containsExactly(
            "unet guided step 64 1 -",
            "unet guided step 64 2 -",
            "vae decode 64 1 whole",
            "vae decode 64 1 tiled",
            "taesd decode 64 1 -");
    for (String r : rows) {
      String[] f = r.trim().split("\\s+");
      double ms = Double.parseDouble(f[f.length - 3]);
      double perImage = Double.parseDouble(f[f.length - 2]);
      double rss = Double.parseDouble(f[f.length - 1]);
      assertThat(ms).as(r).isPositive();
      assertThat(perImage).as(r).isPositive().isLessThanOrEqualTo(ms);
      assertThat(rss).as(r).isGreaterThan(10); // a JVM with ONNX Runtime loaded
    }
  }
}
