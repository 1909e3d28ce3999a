package atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.model.SessionSettings;
import atelier.pipeline.ArtworkPng;
import atelier.testing.TestPaths;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ControlNets through the job layer, as the server receives them: JSON with uploaded images. */
class ControlJobTest {
  static final Path RES = TestPaths.repoRoot().resolve("core/src/test/resources");

  @Test
  void aJsonJobWithUploadedControlImagesPaintsTheReferencesPicture(@TempDir Path home)
      throws Exception {
    String edges =
        Base64.getEncoder()
            .encodeToString(Files.readAllBytes(RES.resolve("control-images/edges-64.png")));
    String blocks =
        Base64.getEncoder()
            .encodeToString(Files.readAllBytes(RES.resolve("control-images/blocks-64.png")));
    // tools/reference_controlnet.py, case b-two-ddim-ranges, on the fused export (slots 1 and 2)
    String json =
        "{\"model\":\""
            + TestPaths.tinyModel("sd15-controlnet-fused").toString().replace("\\", "\\\\")
            + "\",\"prompt\":\"an old castle in the fog\",\"negativePrompt\":\"blurry\","
            + "\"scheduler\":\"ddim\",\"steps\":5,\"guidance\":5.0,\"seed\":7,"
            + "\"controls\":[{\"model\":\"1\",\"imageData\":\""
            + edges
            + "\",\"scale\":1.0,\"start\":0.0,\"end\":0.5},{\"model\":\"2\",\"imageData\":\""
            + blocks
            + "\",\"scale\":0.6,\"start\":0.25,\"end\":1.0}]}";
    GenerateSpec spec = (GenerateSpec) JobSpecs.fromJson("generate", json);
    assertThat(spec.controls()).hasSize(2);
    AtelierHome h = AtelierHome.at(home);
    Path out = home.resolve("out");
    try (ModelCache cache = new ModelCache(0)) {
      JobRunner runner =
          new JobRunner(
              h,
              SessionSettings.CPU,
              cache,
              new ModelResolver(h, Map.of(), ModelResolver.Downloads.of(false)));
      JobResult r = runner.run(spec, JobContext.of(OutputSink.folder(out)));
      Path file = r.images().get(0).file();
      BufferedImage got = ImageIO.read(file.toFile());
      BufferedImage want =
          ImageIO.read(RES.resolve("golden-control/b-two-ddim-ranges.s7.png").toFile());
      int worst = 0;
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          for (int s = 0; s <= 16; s += 8) {
            int d = Math.abs(((got.getRGB(x, y) >> s) & 0xff) - ((want.getRGB(x, y) >> s) & 0xff));
            worst = Math.max(worst, d);
          }
        }
      }
      assertThat(worst).isLessThanOrEqualTo(2);
      assertThat(ArtworkPng.read(file).warnings())
          .anyMatch(n -> n.startsWith("controlnet 1: image uploaded control image (sha256 "));
    }
  }

  @Test
  void badControlSpecsNameTheField() {
    assertThatThrownBy(
            () ->
                JobSpecs.fromJson(
                    "generate", "{\"prompt\":\"x\",\"controls\":[{\"model\":\"a\"}]}"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining(
            "control a: expected one control image (a file or its bytes), found none");
    assertThatThrownBy(() -> GenerateSpec.builder("x").controls(null, true).build())
        .isInstanceOf(BadRequestException.class)
        .hasMessage("guess mode: applies to ControlNets; expected --control, found none");
  }
}
