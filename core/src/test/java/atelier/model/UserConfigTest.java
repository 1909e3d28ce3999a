package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json and the download settings taken from the environment. */
class UserConfigTest {
  @TempDir Path tmp;

  @Test
  void setValuesRoundTripAndBlankUnsets() {
    Path file = tmp.resolve("home/config.json");
    assertThat(UserConfig.read(file)).isEqualTo(UserConfig.empty());
    UserConfig c =
        UserConfig.empty()
            .with(UserConfig.Key.MODEL, "sd15-onnx")
            .with(UserConfig.Key.DEVICE, "GPU")
            .with(UserConfig.Key.OUTPUT, "/tmp/out");
    assertThat(c.device()).isEqualTo("cuda");
    c.write(file);
    assertThat(UserConfig.read(file)).isEqualTo(c);
    assertThat(c.with(UserConfig.Key.OUTPUT, " ").output()).isNull();
  }

  @Test
  void badValuesAndKeysSayWhatIsExpected() throws IOException {
    assertThatThrownBy(() -> UserConfig.empty().with(UserConfig.Key.DEVICE, "tpu"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected one of cpu, cuda");
    assertThatThrownBy(() -> UserConfig.empty().with(UserConfig.Key.ENDPOINT, "ftp://x"))
        .hasMessageContaining("expected an http(s) address");
    assertThatThrownBy(() -> UserConfig.Key.lookup("colour"))
        .hasMessageContaining("expected one of model, device, output, endpoint");
    Path file = tmp.resolve("config.json");
    Files.writeString(file, "{\"model\":\"x\",\"theme\":\"dark\"}");
    assertThatThrownBy(() -> UserConfig.read(file))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("found 'theme'");
  }

  @Test
  void theEndpointComesFromHfEndpointThenTheConfigThenTheHub() {
    assertThat(DownloadSettings.fromEnvironment(Map.of(), null).endpoint())
        .isEqualTo(DownloadSettings.HUGGING_FACE);
    assertThat(DownloadSettings.fromEnvironment(Map.of(), "http://mirror:8080").endpoint())
        .hasToString("http://mirror:8080");
    assertThat(
            DownloadSettings.fromEnvironment(
                    Map.of("HF_ENDPOINT", "https://hf-mirror.example"), "http://mirror:8080")
                .endpoint())
        .hasToString("https://hf-mirror.example");
  }

  @Test
  void theTokenComesFromHfTokenOrTheLoginFileAndIsNeverShown() throws IOException {
    DownloadSettings s = DownloadSettings.fromEnvironment(Map.of("HF_TOKEN", "hf_abc"), null);
    assertThat(s.token()).isEqualTo("hf_abc");
    assertThat(s.toString()).doesNotContain("hf_abc").contains("token=(set)");
    Path file = tmp.resolve("token");
    Files.writeString(file, "hf_from_file\n");
    assertThat(
            DownloadSettings.fromEnvironment(Map.of("HF_TOKEN_PATH", file.toString()), null)
                .token())
        .isEqualTo("hf_from_file");
    assertThat(
            DownloadSettings.fromEnvironment(
                    Map.of("HF_HOME", tmp.resolve("none").toString()), null)
                .token())
        .isNull();
    assertThatThrownBy(
            () -> DownloadSettings.of(DownloadSettings.HUGGING_FACE).withRetries(-1, Duration.ZERO))
        .hasMessageContaining("retries: expected >= 0, found -1");
  }
}
