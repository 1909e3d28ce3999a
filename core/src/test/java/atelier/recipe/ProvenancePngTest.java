package atelier.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.pipeline.Artwork;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.GenerationSettings;
import atelier.pipeline.ImageRecord;
import atelier.pipeline.ModelRef;
import atelier.pipeline.Timings;
import atelier.text.library.PromptExpander;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provenance chunk sits beside the generation record and reads back whole. */
class ProvenancePngTest {
  static ImageRecord record(int w, int h, long seed) {
    return new ImageRecord(
        "atelier test",
        "2025-01-01T00:00:00Z",
        new ModelRef("m", "/models/m", "ab".repeat(32), "sd15", "optimum"),
        new GenerationSettings(
            "a cat", "", w, h, 2, 7.5, "euler", 0, seed, 1, null, null, null, "cover", null, 1,
            null, null, null, null, null),
        0,
        seed,
        new double[] {999, 499},
        List.of(),
        List.of(),
        new Timings(1, 0, 2, 1, 1, 4));
  }

  @Test
  void roundTrip(@TempDir Path dir) throws Exception {
    Provenance p =
        new Provenance(
            new Provenance.RecipeRef("phone-wallpaper", "1.0.0", Recipe.FORMAT, "built-in:x"),
            Map.of("subject", "a cat"),
            new Provenance.PromptRef(
                "wallpaper", 7, List.of(new PromptExpander.Choice("__style__", "anime"))),
            new Provenance.BasemapRef(
                null, null, List.of("canvas:width=8,height=8,color=#ffffff"), "b.png", "00"),
            new Recipe.Upscale(72, 160, "auto", null),
            "lanczos",
            Recipe.Select.KEEP_ALL,
            "keep-all",
            new Provenance.SeriesRef(2, 6, "a dragon"),
            Map.of("guidance", "7"));
    Artwork a =
        new Artwork(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), record(8, 8, 7), null);
    Path f = dir.resolve("out.png");
    ProvenancePng.write(a, p, f);
    assertThat(ProvenancePng.read(f)).contains(p);
    assertThat(ArtworkPng.read(f).settings().seed()).isEqualTo(7);
    assertThat(ArtworkPng.texts(f)).containsKeys("parameters", "atelier", "atelier-provenance");
    ArtworkPng.write(a, dir.resolve("plain.png"));
    assertThat(ProvenancePng.read(dir.resolve("plain.png"))).isEmpty();
  }

  @Test
  void lanczosUpscalerGivesTheExactFinalSize() {
    BufferedImage in = new BufferedImage(64, 144, BufferedImage.TYPE_INT_RGB);
    Upscaler.Result out =
        Upscaler.LANCZOS.upscale(
            in, 108, 240, atelier.image.Resize.Fit.COVER, ProgressListener.NONE, CancelToken.NONE);
    assertThat(out.image().getWidth()).isEqualTo(108);
    assertThat(out.image().getHeight()).isEqualTo(240);
    assertThat(out.upscaler()).isEqualTo("lanczos");
  }
}
