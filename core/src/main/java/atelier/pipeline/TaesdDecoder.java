package atelier.pipeline;

import atelier.ModelLoadException;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.model.TensorSpec;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The decoder half of TAESD (madebyollin/taesd, a 1.2 M-parameter distilled SD VAE): the sampler's
 * latents {@code [1, 4, h, w]} as they are, at scale 1 (not divided by the VAE's scaling factor), →
 * an image {@code [1, 3, 8h, 8w]} in about [0, 1]. Used instead of the VAE decoder ({@code generate
 * --vae taesd}) and as a {@link LatentPreview} for progress pictures.
 *
 * <p>The graph is {@code vae_decoder/model.onnx} of a TAESD folder, input {@code latent_sample},
 * output {@code sample} (deinferno/taesd-onnx's layout). Exports come in two ranges ({@link
 * Range}): madebyollin's {@code taesd.py} decoder gives [0, 1]; diffusers' {@code AutoencoderTiny}
 * (what an export through diffusers or Optimum holds) ends in {@code x.mul(2).sub(1)} and gives
 * [-1, 1]. The range is read from the graph at load; {@link #decode} always returns [0, 1]. Owns
 * its session; thread-safe (ONNX Runtime sessions allow concurrent runs and the class keeps no run
 * state).
 */
public final class TaesdDecoder implements LatentPreview, AutoCloseable {
  /** The graph inside a TAESD folder. */
  public static final String GRAPH = "vae_decoder/model.onnx";

  /** The range of the images a TAESD decoder graph gives. */
  public enum Range {
    /** madebyollin's {@code taesd.py}: about [0, 1]. */
    ZERO_TO_ONE,
    /** diffusers' {@code AutoencoderTiny} ({@code DecoderTiny} ends in {@code x·2 − 1}). */
    MINUS_ONE_TO_ONE
  }

  private final OnnxModel model;
  private final Range range;

  /**
   * Wraps an opened graph, checking its input and output and reading its range.
   *
   * @throws ModelLoadException when the names, ranks or latent channels do not fit
   */
  public TaesdDecoder(OnnxModel model) {
    this.model = model;
    TensorSpec in = model.requireInput("latent_sample", TextEncoder.FLOATS, 4);
    model.requireOutput("sample", TextEncoder.FLOATS, 4);
    if (in.isStatic(1) && in.shape()[1] != 4) {
      model.close();
      throw new ModelLoadException(
          "taesd ("
              + model.path()
              + "): input 'latent_sample' expected 4 latent channels (SD 1.x/2.x), found "
              + in.shapeText());
    }
    try {
      this.range = TaesdGraphs.outputRange(model.path());
    } catch (ModelLoadException e) {
      model.close();
      throw e;
    }
  }

  /**
   * Opens {@code vae_decoder/model.onnx} under {@code folder}.
   *
   * @throws ModelLoadException naming the path when the graph is absent or unusable
   */
  public static TaesdDecoder open(Path folder, SessionSettings settings) {
    Path graph = folder.resolve(GRAPH);
    if (!Files.isRegularFile(graph)) {
      throw new ModelLoadException(
          "taesd: expected a TAESD decoder at " + graph + ", found no such file");
    }
    return new TaesdDecoder(OnnxModel.open("taesd", graph, settings));
  }

  /**
   * The previewer for progress pictures: TAESD from {@code folder} when one is installed there and
   * loads, else {@link LatentPreview#cheap cheap} previews enlarged twice. Never fails: a TAESD
   * that does not load is reported to {@code note} and skipped. The caller owns a returned TAESD
   * decoder (close it when done; it is {@link AutoCloseable}).
   */
  public static LatentPreview previewer(
      Path folder, SessionSettings settings, Consumer<String> note) {
    if (!Files.isRegularFile(folder.resolve(GRAPH))) {
      return LatentPreview.cheap(2);
    }
    try {
      TaesdDecoder d = open(folder, settings);
      note.accept("progress previews decoded with TAESD " + d.model().path());
      return d;
    } catch (ModelLoadException e) {
      note.accept("progress previews are cheap ones: " + e.getMessage());
      return LatentPreview.cheap(2);
    }
  }

  /**
   * Decodes the sampler's latents (scale 1).
   *
   * @param latents {@code [batch, 4, h, w]}
   * @return {@code [batch, 3, 8h, 8w]}, about [0, 1] (not clamped)
   */
  public Tensor decode(Tensor latents) {
    Tensor out = raw(latents);
    if (range == Range.ZERO_TO_ONE) {
      return out;
    }
    float[] px = out.floatData().clone();
    for (int i = 0; i < px.length; i++) {
      px[i] = (px[i] + 1f) / 2f;
    }
    return Tensor.floats(px, out.shape());
  }

  /** The graph's own output, in its {@link #range()}. */
  private Tensor raw(Tensor latents) {
    return model.run(Map.of("latent_sample", latents), "sample").get("sample");
  }

  /** The range of the graph's images, read from the graph at load. */
  public Range range() {
    return range;
  }

  /**
   * Decodes as {@link VaeDecoder#decode} does, for the pipeline: the latents already divided by the
   * VAE's {@code scalingFactor} are multiplied back, and the image is returned in [-1, 1].
   */
  public Tensor decodeLikeVae(Tensor vaeLatents, float scalingFactor) {
    float[] lat = vaeLatents.floatData().clone();
    for (int i = 0; i < lat.length; i++) {
      lat[i] *= scalingFactor;
    }
    Tensor img = raw(Tensor.floats(lat, vaeLatents.shape()));
    if (range == Range.MINUS_ONE_TO_ONE) {
      return img; // already the VAE's range
    }
    float[] px = img.floatData().clone();
    for (int i = 0; i < px.length; i++) {
      px[i] = px[i] * 2f - 1f;
    }
    return Tensor.floats(px, img.shape());
  }

  @Override
  public BufferedImage preview(float[] latents, int channels, int height, int width) {
    if (channels != 4 || height < 1 || width < 1 || latents.length != 4 * height * width) {
      throw new IllegalArgumentException(
          "taesd preview: expected 4×"
              + height
              + "×"
              + width
              + " latents, found "
              + channels
              + " channels and "
              + latents.length
              + " values");
    }
    float[] px = decode(Tensor.floats(latents, 1, 4, height, width)).floatData();
    int ph = height * 8;
    int pw = width * 8;
    int plane = ph * pw;
    BufferedImage img = new BufferedImage(pw, ph, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < ph; y++) {
      for (int x = 0; x < pw; x++) {
        int i = y * pw + x;
        int rgb = (to8bit(px[i]) << 16) | (to8bit(px[plane + i]) << 8) | to8bit(px[2 * plane + i]);
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  /** [0, 1] → [0, 255], clamped and rounded. */
  static int to8bit(float v) {
    return Math.round(255f * Math.max(0f, Math.min(1f, v)));
  }

  /** The graph, for inspection. */
  public OnnxModel model() {
    return model;
  }

  @Override
  public void close() {
    model.close();
  }
}
