package atelier.upscale;

import atelier.InferenceException;
import atelier.ModelLoadException;
import atelier.model.ElementType;
import atelier.model.ModelHasher;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.model.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A super-resolution stage: one ONNX graph that maps an RGB image in [0, 1] to the same image at
 * {@link #scale()} times the size (ESRGAN, Real-ESRGAN and converted UpscalerJS models).
 *
 * <p>Input and output names, layout (NCHW or NHWC) and scale are read from the graph: from its
 * declared shapes when fixed, else by a probe run on a small image at load. The probe also finds
 * the size multiple a graph needs (Real-ESRGAN ×2 models fold 2×2 pixels into channels and need
 * even sizes, ×1 models multiples of 4); {@link #run} takes images of that multiple and {@link
 * Tiler} pads to it.
 *
 * <p>Thread-safe (the session is); owns its session. Pixel values are floats in [0, 1]; outputs are
 * not clamped here.
 */
public final class Upscaler implements AutoCloseable {
  private static final Set<ElementType> FLOATS =
      EnumSet.of(ElementType.FLOAT32, ElementType.FLOAT16);

  /** Probe sizes: each is a multiple of the alignment it tests and of no larger power of two. */
  private static final int[][] PROBES = {{17, 1}, {18, 2}, {20, 4}, {24, 8}, {48, 16}, {32, 32}};

  /** Working bytes per input pixel assumed for a graph without an Atelier record (see docs). */
  private static final long GENERIC_FLOATS_PER_PIXEL = 192;

  private final OnnxModel model;
  private final String id;
  private final TensorSpec input;
  private final TensorSpec output;
  private final boolean nhwc;
  private final int scale;
  private final int alignment;
  private final int fixedHeight;
  private final int fixedWidth;
  private final Optional<UpscalerInfo> info;
  private String sha256;

  /**
   * Wraps a loaded graph, reading its layout and probing scale and alignment.
   *
   * @param id the model's name in records and messages
   * @param info the import record, if any (its scale must agree with the graph's)
   * @throws ModelLoadException when the graph is not a single-image RGB upscaler
   */
  public Upscaler(OnnxModel model, String id, Optional<UpscalerInfo> info) {
    this.model = model;
    this.id = id;
    this.info = info;
    if (model.inputs().size() != 1) {
      throw new ModelLoadException(
          model.stage()
              + " ("
              + model.path()
              + "): expected one image input, found "
              + model.inputs());
    }
    this.input = model.requireInput(model.inputs().get(0).name(), FLOATS, 4);
    this.output = model.requireOutput(model.outputs().get(0).name(), FLOATS, 4);
    long[] s = input.shape();
    boolean channelsFirst = s[1] == 3 || (s[1] < 0 && s[3] != 3);
    if (!channelsFirst && s[3] != 3) {
      throw new ModelLoadException(
          model.stage()
              + " ("
              + model.path()
              + "): expected an RGB input [batch, 3, height, width] or [batch, height, width, 3],"
              + " found "
              + input.shapeText());
    }
    this.nhwc = !channelsFirst;
    int hAxis = nhwc ? 1 : 2;
    this.fixedHeight = (int) s[hAxis];
    this.fixedWidth = (int) s[hAxis + 1];
    int[] probed = probe();
    this.scale = probed[0];
    this.alignment = probed[1];
    if (info.isPresent() && info.get().scale() != scale) {
      throw new ModelLoadException(
          model.stage()
              + " ("
              + model.path()
              + "): "
              + UpscalerInfo.FILE
              + " declares scale "
              + info.get().scale()
              + ", but the graph upscales by "
              + scale);
    }
  }

  /**
   * Opens an upscaler: an {@code .onnx} file, or a folder with {@code model.onnx} (and optionally
   * {@code upscaler.json}, as an import writes).
   *
   * @throws ModelLoadException when nothing loadable is there
   */
  public static Upscaler open(Path fileOrFolder, SessionSettings settings) {
    Path graph = fileOrFolder;
    Optional<UpscalerInfo> info = Optional.empty();
    if (Files.isDirectory(fileOrFolder)) {
      graph = fileOrFolder.resolve("model.onnx");
      info = UpscalerInfo.read(fileOrFolder);
    }
    String id =
        info.map(UpscalerInfo::id)
            .orElseGet(
                () -> {
                  Path named = Files.isDirectory(fileOrFolder) ? fileOrFolder : fileOrFolder;
                  String n = named.toAbsolutePath().normalize().getFileName().toString();
                  return n.endsWith(".onnx") ? n.substring(0, n.length() - 5) : n;
                });
    OnnxModel model = OnnxModel.open("upscaler", graph, settings);
    try {
      return new Upscaler(model, id, info);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private int[] probe() {
    if (fixedHeight > 0 || fixedWidth > 0) {
      if (fixedHeight <= 0 || fixedWidth <= 0) {
        throw new ModelLoadException(
            model.stage()
                + " ("
                + model.path()
                + "): expected both image sides fixed or both dynamic, found "
                + input.shapeText());
      }
      long[] o = output.shape();
      int oh = (int) o[nhwc ? 1 : 2];
      if (oh > 0 && oh % fixedHeight == 0) {
        return new int[] {oh / fixedHeight, 1};
      }
      return new int[] {probeRun(fixedHeight, fixedWidth), 1};
    }
    InferenceException last = null;
    for (int[] p : PROBES) {
      try {
        return new int[] {probeRun(p[0], p[0]), p[1]};
      } catch (InferenceException e) {
        last = e; // the graph rejects this size: try the next multiple
      }
    }
    throw new ModelLoadException(
        model.stage()
            + " ("
            + model.path()
            + "): expected a graph that upscales a small test image (sides 17 to 48), but every"
            + " probe failed; last error: "
            + (last == null ? "none" : last.getMessage()),
        last);
  }

  private int probeRun(int h, int w) {
    float[] grey = new float[3 * h * w];
    java.util.Arrays.fill(grey, 0.5f);
    int[] size = new int[2];
    run(grey, w, h, size);
    if (size[0] % h != 0 || size[1] % w != 0 || size[0] / h != size[1] / w || size[0] < h) {
      throw new ModelLoadException(
          model.stage()
              + " ("
              + model.path()
              + "): expected an output a whole multiple of the input, found "
              + w
              + "×"
              + h
              + " → "
              + size[1]
              + "×"
              + size[0]);
    }
    return size[0] / h;
  }

  /** The name used in records and messages. */
  public String id() {
    return id;
  }

  /** Output size / input size. */
  public int scale() {
    return scale;
  }

  /** Image sides passed to {@link #run} must be multiples of this (1 for most models). */
  public int alignment() {
    return alignment;
  }

  /** The fixed input side {@code [height, width]} the graph declares, or empty when dynamic. */
  public Optional<int[]> fixedSize() {
    return fixedHeight > 0 ? Optional.of(new int[] {fixedHeight, fixedWidth}) : Optional.empty();
  }

  /** The import record, when the model came with one. */
  public Optional<UpscalerInfo> info() {
    return info;
  }

  /** The graph file. */
  public Path path() {
    return model.path();
  }

  /**
   * Hex SHA-256 of the graph file, computed once; empty when the graph was not loaded from an
   * {@code .onnx} file (converted in memory).
   */
  public synchronized String sha256() {
    if (sha256 == null) {
      Path p = model.path();
      try {
        sha256 =
            p.toString().endsWith(".onnx") && Files.isRegularFile(p) ? ModelHasher.sha256Of(p) : "";
      } catch (IOException e) {
        throw new ModelLoadException(id + ": could not read " + p + " to hash it", e);
      }
    }
    return sha256;
  }

  /**
   * Estimated working memory of one run on a {@code width × height} input, in bytes: the
   * converter's per-pixel floor when known (× 3: ONNX Runtime keeps inputs, outputs and convolution
   * buffers alive together), else a Real-ESRGAN-sized assumption. Used to pick tile sizes.
   */
  public long estimatedBytes(int width, int height) {
    long perPixel =
        info.filter(i -> i.peakFloatsPerPixel() > 0)
            .map(i -> i.peakFloatsPerPixel() * 3)
            .orElse(3 * Math.max(GENERIC_FLOATS_PER_PIXEL, 64L * scale * scale));
    return 4L * perPixel * width * height + 8L * 3 * width * height * scale * scale;
  }

  /**
   * Upscales one image.
   *
   * @param chw planar RGB {@code [3][height][width]} in [0, 1]
   * @return planar RGB at {@code scale()} times the size (not clamped)
   * @throws IllegalArgumentException when a side is not a multiple of {@link #alignment()} or
   *     differs from a fixed size
   * @throws InferenceException when ONNX Runtime fails
   */
  public float[] run(float[] chw, int width, int height) {
    if (width % alignment != 0 || height % alignment != 0) {
      throw new IllegalArgumentException(
          id
              + ": expected sides that are multiples of "
              + alignment
              + ", found "
              + width
              + "×"
              + height);
    }
    if (fixedHeight > 0 && (width != fixedWidth || height != fixedHeight)) {
      throw new IllegalArgumentException(
          id
              + ": expected the graph's fixed size "
              + fixedWidth
              + "×"
              + fixedHeight
              + ", found "
              + width
              + "×"
              + height);
    }
    int[] size = new int[2];
    float[] out = run(chw, width, height, size);
    if (size[0] != height * scale || size[1] != width * scale) {
      throw new InferenceException(
          id
              + ": expected a "
              + width * scale
              + "×"
              + height * scale
              + " output, found "
              + size[1]
              + "×"
              + size[0]);
    }
    return out;
  }

  /** Runs the graph; {@code size} receives the output's height and width. */
  private float[] run(float[] chw, int width, int height, int[] size) {
    int plane = width * height;
    if (chw.length != 3 * plane) {
      throw new IllegalArgumentException(
          id
              + ": expected "
              + 3 * plane
              + " values for 3×"
              + height
              + "×"
              + width
              + ", found "
              + chw.length);
    }
    Tensor in =
        nhwc
            ? Tensor.floats(PlanarImage.interleave(chw, plane), 1, height, width, 3)
            : Tensor.floats(chw, 1, 3, height, width);
    Map<String, Tensor> result = model.run(Map.of(input.name(), in), output.name());
    Tensor t = result.get(output.name());
    long[] s = t.shape();
    int channels = (int) (nhwc ? s[3] : s[1]);
    if (s[0] != 1 || channels != 3) {
      throw new InferenceException(id + ": expected an output [1, 3, H, W] (or NHWC), found " + t);
    }
    size[0] = (int) (nhwc ? s[1] : s[2]);
    size[1] = (int) (nhwc ? s[2] : s[3]);
    return nhwc ? PlanarImage.deinterleave(t.floatData(), size[0] * size[1]) : t.floatData();
  }

  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "upscaler "
        + id
        + " ×"
        + scale
        + (alignment > 1 ? " (sides multiple of " + alignment + ")" : "")
        + " "
        + model.path();
  }
}
