package atelier.upscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tiling: coverage, blend weights, budget, and no visible seams against an untiled run. */
class TilerTest {
  private static Upscaler tiny;

  @BeforeAll
  static void load() {
    LayersToOnnx.Converted c =
        LayersToOnnx.convert(
            TfjsLayersModel.read(TestModels.file("tiny-layers/model.json")), 255, "tiny");
    tiny =
        new Upscaler(
            OnnxModel.open(
                "upscaler",
                c.model(),
                TestModels.file("tiny-layers/model.json"),
                SessionSettings.CPU),
            "tiny-layers",
            Optional.empty());
  }

  @AfterAll
  static void close() {
    tiny.close();
  }

  @ParameterizedTest(name = "size {0}, tile {1}, overlap {2}")
  @CsvSource({"100, 48, 16", "97, 32, 8", "512, 128, 16", "33, 32, 8", "1000, 200, 0"})
  void spansCoverTheSideWithAtLeastTheOverlap(int size, int tile, int overlap) {
    List<Tiler.Span> spans = Tiler.spans(size, tile, overlap);
    assertThat(spans.get(0).start()).isZero();
    Tiler.Span last = spans.get(spans.size() - 1);
    assertThat(last.start() + last.length()).isEqualTo(size);
    for (int i = 1; i < spans.size(); i++) {
      Tiler.Span a = spans.get(i - 1);
      Tiler.Span b = spans.get(i);
      assertThat(a.length()).isEqualTo(tile);
      assertThat(a.start() + a.length() - b.start())
          .isGreaterThanOrEqualTo(overlap)
          .isEqualTo(b.before());
      assertThat(a.after()).isEqualTo(b.before());
    }
  }

  @Test
  void blendWeightsOfNeighboursSumToOne() {
    List<Tiler.Span> spans = Tiler.spans(100, 48, 16);
    int scale = 2;
    float[] total = new float[100 * scale];
    for (Tiler.Span s : spans) {
      float[] w = s.weights(scale);
      for (int i = 0; i < w.length; i++) {
        total[s.start() * scale + i] += w[i];
      }
    }
    for (float t : total) {
      assertThat(t).isBetween(0.99999f, 1.00001f);
    }
    // The outer quarter of an overlap, next to a tile edge, does not count.
    float[] second = spans.get(1).weights(scale);
    assertThat(second[0]).isLessThan(1e-5f);
  }

  @Test
  void aSmoothGradientTiledDiffersFromUntiledByLessThanOneLevel() {
    PlanarImage gradient = gradient(150, 100);
    PlanarImage whole = Tiler.upscale(tiny, gradient, 0, 16, n -> {}, CancelToken.NONE);
    int[] tiles = {0};
    PlanarImage tiled = Tiler.upscale(tiny, gradient, 48, 16, n -> tiles[0] = n, CancelToken.NONE);
    assertThat(tiles[0]).isEqualTo(Tiler.tileCount(tiny, 150, 100, 48, 16)).isGreaterThan(4);
    assertThat(tiled.width()).isEqualTo(600);
    assertThat(maxLevelDifference(whole, tiled)).isLessThan(1.0);
  }

  /** The same with a real trained network (esrgan-slim ×4), whose receptive field is wider. */
  @Test
  void aSmoothGradientThroughARealModelHasNoSeams() {
    UpscalerPackage pkg = UpscalerPackage.open(UpscalerJsPackages.require("slim"));
    UpscalerPackage.Conversion c = pkg.convert(4);
    try (Upscaler slim =
        new Upscaler(
            OnnxModel.open("upscaler", c.onnx(), UpscalerJsPackages.folder(), SessionSettings.CPU),
            c.info().id(),
            Optional.of(c.info()))) {
      PlanarImage gradient = gradient(160, 120);
      PlanarImage whole = Tiler.upscale(slim, gradient, 0, 16, n -> {}, CancelToken.NONE);
      PlanarImage tiled = Tiler.upscale(slim, gradient, 64, 16, n -> {}, CancelToken.NONE);
      assertThat(maxLevelDifference(whole, tiled)).isLessThan(1.0);
    }
  }

  @Test
  void theBudgetPicksATileThatFits() {
    long budget = tiny.estimatedBytes(100, 100);
    assertThat(Tiler.tileForBudget(tiny, 90, 90, 16, budget)).isZero();
    int tile = Tiler.tileForBudget(tiny, 1000, 800, 16, budget);
    assertThat(tile).isBetween(Tiler.MIN_TILE, 100);
    assertThat(tile % 8).isZero();
    assertThat(tiny.estimatedBytes(tile, tile)).isLessThanOrEqualTo(budget);
    // As many runs as with the largest tile that fits (96), no more.
    assertThat(Tiler.tileCount(tiny, 1000, 800, tile, 16))
        .isEqualTo(Tiler.tileCount(tiny, 1000, 800, 96, 16));
    // 120 px under a budget for 112: two tiles per axis, (120 + 16) / 2 = 68, rounded up to 72.
    assertThat(Tiler.tileForBudget(tiny, 120, 120, 16, tiny.estimatedBytes(112, 112)))
        .isEqualTo(72);
    // A budget too small for any tile still gives the smallest tile the overlap allows.
    assertThat(Tiler.tileForBudget(tiny, 1000, 800, 24, 1)).isEqualTo(56);
  }

  @Test
  void aTileTooSmallForTheOverlapIsABadRequest() {
    assertThatThrownBy(
            () -> Tiler.upscale(tiny, gradient(100, 100), 40, 32, n -> {}, CancelToken.NONE))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected at least 65 pixels for an overlap of 32, found 40");
  }

  @Test
  void stopsWhenCancelled() {
    CancelToken cancel = new CancelToken();
    cancel.cancel();
    assertThatThrownBy(() -> Tiler.upscale(tiny, gradient(64, 64), 32, 8, n -> {}, cancel))
        .isInstanceOf(atelier.CancelledException.class);
  }

  /** A diagonal colour ramp, 8-bit quantised like a real image. */
  static PlanarImage gradient(int w, int h) {
    float[] d = new float[3 * w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        d[i] = Math.round(255f * x / (w - 1)) / 255f;
        d[w * h + i] = Math.round(255f * y / (h - 1)) / 255f;
        d[2 * w * h + i] = Math.round(255f * (x + y) / (w + h - 2)) / 255f;
      }
    }
    return new PlanarImage(3, w, h, d);
  }

  /** Largest difference of the clamped values, in 8-bit levels. */
  static double maxLevelDifference(PlanarImage a, PlanarImage b) {
    double m = 0;
    for (int i = 0; i < a.data().length; i++) {
      float x = Math.max(0, Math.min(1, a.data()[i]));
      float y = Math.max(0, Math.min(1, b.data()[i]));
      m = Math.max(m, Math.abs(x - y) * 255);
    }
    return m;
  }
}
