package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.FakeHub;
import atelier.testing.Golden;
import atelier.upscale.UpscalerJsPackages;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real UpscalerJS slim package (fetched by .ci/run with npm; the test skips without it) through
 * the CLI: imported from its tarball, and pulled from a catalog entry served by a loopback hub —
 * both convert it to ONNX and install one upscaler per scale that {@code upscale} then uses.
 */
class UpscalerPackagesTest {

  @Test
  void importingThePackageInstallsEveryScale(@TempDir Path home) throws Exception {
    Path tgz = UpscalerJsPackages.require("slim");
    CliRun r = CliRun.of("--home", home.toString(), "models", "import", tgz.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("esrgan-slim-x2", "esrgan-slim-x4", "esrgan-slim-x8");
    CliRun list = CliRun.of("--home", home.toString(), "models", "list");
    assertThat(list.out()).containsPattern("esrgan-slim-x4 +upscaler .* ready");
    Path out = home.resolve("up.png");
    CliRun up =
        CliRun.of(
            "--home",
            home.toString(),
            "upscale",
            Golden.dir().resolve("basemap-64.png").toString(),
            "--scale",
            "4",
            "--model",
            "esrgan-slim",
            "--out",
            out.toString());
    assertThat(up.exitCode()).as(up.err()).isZero();
    assertThat(javax.imageio.ImageIO.read(out.toFile()).getWidth()).isEqualTo(256);
  }

  @Test
  void pullingACatalogUpscalerConvertsAndInstallsIt(@TempDir Path tmp) throws Exception {
    Path tgz = UpscalerJsPackages.require("slim");
    Path published = Files.createDirectories(tmp.resolve("pkg"));
    Files.copy(tgz, published.resolve("package.tgz"));
    try (FakeHub hub = new FakeHub().publish("upscalerjs/esrgan-slim", "1.0.0", published)) {
      Path home = Files.createDirectories(tmp.resolve("home"));
      String url = hub.endpoint() + "/upscalerjs/esrgan-slim/resolve/1.0.0/package.tgz";
      Files.writeString(
          home.resolve("catalog.json"),
          "{\"schema\":1,\"models\":[{\"id\":\"upscalerjs-esrgan-slim\",\"name\":\"slim\","
              + "\"kind\":\"upscaler\",\"device\":\"cpu\",\"precision\":\"fp32\","
              + "\"license\":\"MIT\",\"source\":{\"repo\":\"upscalerjs/esrgan-slim\","
              + "\"revision\":\"1.0.0\"},\"files\":[{\"path\":\"package.tgz\",\"size\":"
              + Files.size(tgz)
              + ",\"sha256\":\""
              + FakeHub.sha256(Files.readAllBytes(tgz))
              + "\",\"url\":\""
              + url
              + "\"}],\"verified\":false,\"notes\":\"test\"}]}");
      CliRun r = CliRun.of("--home", home.toString(), "models", "pull", "upscalerjs-esrgan-slim");
      assertThat(r.exitCode()).as(r.err()).isZero();
      assertThat(r.out()).contains("converted to ONNX and installed: esrgan-slim-x2");
      assertThat(home.resolve("models/esrgan-slim-x4/model.onnx")).exists();
    }
  }
}
