package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

  @Test
  void redrawsOneLinePerImageWithRateAndTimeLeft() {
    StringWriter s = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(s));
    for (int image = 0; image < 2; image++) {
      for (int step = 1; step <= 4; step++) {
        bar.onProgress(
            new Progress(
                Progress.Stage.DENOISE, step, 4, image, 2, Duration.ofMillis(500L * step)));
      }
    }
    String[] lines = s.toString().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0])
        .contains("\rimage 1/2 [######------------------] step 1/4  2.00 it/s  ETA 00:01");
    assertThat(lines[0])
        .endsWith("image 1/2 [########################] step 4/4  2.00 it/s  ETA 00:00");
    assertThat(lines[1]).startsWith("\rimage 2/2 [######");
  }

  @Test
  void showsTheUpscalersTiles() {
    StringWriter s = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(s));
    for (int tile = 1; tile <= 3; tile++) {
      bar.onProgress(
          new Progress(Progress.Stage.UPSCALE, tile, 3, 0, 1, Duration.ofMillis(100L * tile)));
    }
    assertThat(s.toString())
        .contains("\rupscale [########----------------] tile 1/3  10.00 it/s")
        .endsWith("upscale [########################] tile 3/3  10.00 it/s  ETA 00:00\n");
  }

  @Test
  void formatsLongTimes() {
    assertThat(ProgressBar.clock(Duration.ofSeconds(59))).isEqualTo("00:59");
    assertThat(ProgressBar.clock(Duration.ofSeconds(3725))).isEqualTo("1:02:05");
  }
}
