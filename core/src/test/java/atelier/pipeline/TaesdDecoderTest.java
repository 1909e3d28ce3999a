package atelier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.ModelLoadException;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.testing.TestPaths;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny TAESD decoder against its torch forward ({@code tools/taesd/make_tiny_taesd.py} writes
 * the graph and {@code reference.json} from the same modules): fixed latents [1, 4, 3, 5], image
 * [1, 3, 24, 40] within 1e-4.
 */
class TaesdDecoderTest {
  static final Path DIR = TestPaths.repoRoot().resolve("core/src/test/resources/models/taesd-tiny");

  private static float[] floats(JsonNode a) {
    float[] f = new float[a.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) a.get(i).asDouble();
    }
    return f;
  }

  @Test
  void decodeMatchesTheTorchReference() throws Exception {
    JsonNode ref = new ObjectMapper().readTree(DIR.resolve("reference.json").toFile());
    float[] latents = floats(ref.get("latents"));
    float[] want = floats(ref.get("decoded"));
    try (TaesdDecoder d = TaesdDecoder.open(DIR, SessionSettings.CPU)) {
      Tensor out = d.decode(Tensor.floats(latents, 1, 4, 3, 5));
      assertThat(out.shape()).containsExactly(1, 3, 24, 40);
      float[] got = out.floatData();
      for (int i = 0; i < want.length; i++) {
        assertThat(Math.abs(got[i] - want[i])).as("index %d", i).isLessThan(1e-4f);
      }
      // As the VAE's stand-in: latents divided by the scaling factor, image in [-1, 1].
      float[] scaled = latents.clone();
      for (int i = 0; i < scaled.length; i++) {
        scaled[i] /= 0.18215f;
      }
      float[] vae = d.decodeLikeVae(Tensor.floats(scaled, 1, 4, 3, 5), 0.18215f).floatData();
      for (int i = 0; i < want.length; i++) {
        assertThat(Math.abs(vae[i] - (want[i] * 2 - 1))).as("index %d", i).isLessThan(2e-4f);
      }
    }
  }

  /**
   * The same weights exported as diffusers' AutoencoderTiny wraps them (its decoder ends in {@code
   * x.mul(2).sub(1)}: images in [-1, 1]), which is what an export through diffusers or Optimum
   * holds: decoded, previewed and used as the VAE's stand-in exactly as madebyollin's [0, 1]
   * export.
   */
  @Test
  void aDiffusersStyleExportInMinusOneToOneDecodesTheSamePicture() throws Exception {
    JsonNode ref = new ObjectMapper().readTree(DIR.resolve("reference.json").toFile());
    float[] latents = floats(ref.get("latents"));
    float[] want = floats(ref.get("decoded"));
    Path diffusers = DIR.resolveSibling("taesd-tiny-diffusers");
    try (TaesdDecoder d = TaesdDecoder.open(diffusers, SessionSettings.CPU);
        TaesdDecoder plain = TaesdDecoder.open(DIR, SessionSettings.CPU)) {
      assertThat(d.range()).isEqualTo(TaesdDecoder.Range.MINUS_ONE_TO_ONE);
      assertThat(plain.range()).isEqualTo(TaesdDecoder.Range.ZERO_TO_ONE);
      float[] got = d.decode(Tensor.floats(latents, 1, 4, 3, 5)).floatData();
      for (int i = 0; i < want.length; i++) {
        assertThat(Math.abs(got[i] - want[i])).as("index %d", i).isLessThan(1e-4f);
      }
      float[] scaled = latents.clone();
      for (int i = 0; i < scaled.length; i++) {
        scaled[i] /= 0.18215f;
      }
      float[] vae = d.decodeLikeVae(Tensor.floats(scaled, 1, 4, 3, 5), 0.18215f).floatData();
      for (int i = 0; i < want.length; i++) {
        assertThat(Math.abs(vae[i] - (want[i] * 2 - 1))).as("index %d", i).isLessThan(2e-4f);
      }
      BufferedImage a = d.preview(latents, 4, 3, 5);
      BufferedImage b = plain.preview(latents, 4, 3, 5);
      for (int y = 0; y < 24; y++) {
        for (int x = 0; x < 40; x++) {
          for (int sh = 0; sh <= 16; sh += 8) {
            assertThat((a.getRGB(x, y) >> sh) & 255)
                .isCloseTo((b.getRGB(x, y) >> sh) & 255, within1());
          }
        }
      }
    }
  }

  @Test
  void previewIsTheDecodeIn8Bit() throws Exception {
    JsonNode ref = new ObjectMapper().readTree(DIR.resolve("reference.json").toFile());
    float[] want = floats(ref.get("decoded"));
    try (TaesdDecoder d = TaesdDecoder.open(DIR, SessionSettings.CPU)) {
      BufferedImage img = d.preview(floats(ref.get("latents")), 4, 3, 5);
      assertThat(img.getWidth()).isEqualTo(40);
      assertThat(img.getHeight()).isEqualTo(24);
      int plane = 24 * 40;
      for (int y = 0; y < 24; y += 5) {
        for (int x = 0; x < 40; x += 7) {
          int rgb = img.getRGB(x, y);
          int i = y * 40 + x;
          assertThat((rgb >> 16) & 255).isCloseTo(Math.round(want[i] * 255), within1());
          assertThat((rgb >> 8) & 255).isCloseTo(Math.round(want[plane + i] * 255), within1());
          assertThat(rgb & 255).isCloseTo(Math.round(want[2 * plane + i] * 255), within1());
        }
      }
    }
  }

  private static org.assertj.core.data.Offset<Integer> within1() {
    return org.assertj.core.data.Offset.offset(1);
  }

  @Test
  void aMissingFolderNamesWhereItLooked() {
    Path nowhere = DIR.resolve("no-such-taesd");
    assertThatThrownBy(() -> TaesdDecoder.open(nowhere, SessionSettings.CPU))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(nowhere.resolve("vae_decoder/model.onnx").toString());
  }

  @Test
  void aGraphWithOtherNamesIsRefusedAtLoad() {
    Path sdVaeEncoder = DIR.resolve("vae_encoder/model.onnx");
    assertThatThrownBy(
            () ->
                new TaesdDecoder(
                    atelier.model.OnnxModel.open("taesd", sdVaeEncoder, SessionSettings.CPU)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("latent_sample");
  }

  @Test
  void previewsUseAnInstalledTaesdElseTheCheapOnes(@TempDir Path home) throws Exception {
    List<String> notes = new ArrayList<>();
    Path folder = home.resolve("taesd");
    assertThat(TaesdDecoder.previewer(folder, SessionSettings.CPU, notes::add))
        .isInstanceOf(CheapLatentPreview.class);
    assertThat(notes).isEmpty();

    Files.createDirectories(folder.resolve("vae_decoder"));
    Files.write(folder.resolve(TaesdDecoder.GRAPH), new byte[] {1, 2, 3});
    assertThat(TaesdDecoder.previewer(folder, SessionSettings.CPU, notes::add))
        .isInstanceOf(CheapLatentPreview.class);
    assertThat(notes).singleElement().asString().startsWith("progress previews are cheap ones: ");

    Files.copy(
        DIR.resolve(TaesdDecoder.GRAPH),
        folder.resolve(TaesdDecoder.GRAPH),
        StandardCopyOption.REPLACE_EXISTING);
    LatentPreview p = TaesdDecoder.previewer(folder, SessionSettings.CPU, notes::add);
    try {
      assertThat(p).isInstanceOf(TaesdDecoder.class);
      assertThat(notes.get(1)).startsWith("progress previews decoded with TAESD ");
    } finally {
      ((TaesdDecoder) p).close();
    }
  }
}
