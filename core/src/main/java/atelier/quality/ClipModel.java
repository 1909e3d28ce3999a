package atelier.quality;

import atelier.ModelLoadException;
import atelier.model.ElementType;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.model.TensorSpec;
import atelier.text.ClipTokenizer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CLIP model exported by Optimum ({@code optimum-cli export onnx --task
 * zero-shot-image-classification}): one {@code model.onnx} taking {@code input_ids}, {@code
 * attention_mask} (int64 or int32, [batch, tokens]) and {@code pixel_values} (float [batch, 3, S,
 * S]) and giving {@code text_embeds} and {@code image_embeds}; the tokenizer files ({@code
 * vocab.json}, {@code merges.txt}) sit beside it. Embeddings come back L2-normalised.
 *
 * <p>Thread-safe; owns its session. Closing is idempotent.
 */
public final class ClipModel implements AutoCloseable {
  private static final Set<ElementType> IDS = EnumSet.of(ElementType.INT64, ElementType.INT32);
  private static final Set<ElementType> FLOATS =
      EnumSet.of(ElementType.FLOAT32, ElementType.FLOAT16);

  private final Path folder;
  private final OnnxModel model;
  private final ClipTokenizer tokenizer;
  private final int imageSize;
  private final int textLength;
  private final int embeddingSize;

  private ClipModel(Path folder, OnnxModel model, ClipTokenizer tokenizer) {
    this.folder = folder;
    this.model = model;
    this.tokenizer = tokenizer;
    model.requireInput("input_ids", IDS, 2);
    model.requireInput("attention_mask", IDS, 2);
    TensorSpec pixels = model.requireInput("pixel_values", FLOATS, 4);
    TensorSpec ids = model.input("input_ids").orElseThrow();
    TensorSpec image = model.requireOutput("image_embeds", FLOATS, 2);
    model.requireOutput("text_embeds", FLOATS, 2);
    this.imageSize = pixels.isStatic(3) ? (int) pixels.shape()[3] : 224;
    this.textLength = ids.isStatic(1) ? (int) ids.shape()[1] : tokenizer.maxLength();
    this.embeddingSize = image.isStatic(1) ? (int) image.shape()[1] : -1;
  }

  /**
   * Opens a CLIP export folder.
   *
   * @throws ModelLoadException when {@code model.onnx} or the tokenizer files are missing, or the
   *     graph's inputs and outputs are not CLIP's
   */
  public static ClipModel open(Path folder, SessionSettings settings) {
    Path graph = folder.resolve("model.onnx");
    if (!Files.isRegularFile(graph)) {
      throw new ModelLoadException(
          "clip: expected an Optimum CLIP export (model.onnx, vocab.json, merges.txt) in "
              + folder
              + ", found no model.onnx");
    }
    ClipTokenizer tokenizer = ClipTokenizer.load(folder);
    OnnxModel model = OnnxModel.open("clip", graph, settings);
    try {
      return new ClipModel(folder, model, tokenizer);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** The export folder. */
  public Path folder() {
    return folder;
  }

  /** Side of the square image the vision tower takes (224 for ViT-L/14). */
  public int imageSize() {
    return imageSize;
  }

  /** The embedding width (768 for ViT-L/14), or -1 until the first run when it is dynamic. */
  public int embeddingSize() {
    return embeddingSize;
  }

  /** L2-normalised image embeddings, one row per image. */
  public float[][] imageEmbeddings(List<BufferedImage> images) {
    Tensor out = run(List.of(""), ClipPreprocess.pixelValues(images, imageSize), "image_embeds");
    return rows(out);
  }

  /** L2-normalised text embeddings, one row per text. */
  public float[][] textEmbeddings(List<String> texts) {
    Tensor blank = Tensor.floats(new float[3 * imageSize * imageSize], 1, 3, imageSize, imageSize);
    return rows(run(texts, blank, "text_embeds"));
  }

  private Tensor run(List<String> texts, Tensor pixels, String output) {
    long[] ids = new long[texts.size() * textLength];
    long[] mask = new long[ids.length];
    for (int t = 0; t < texts.size(); t++) {
      int[] padded = tokenizer.encodePadded(texts.get(t));
      int used = Math.min(tokenizer.encode(texts.get(t)).length + 2, padded.length);
      for (int i = 0; i < textLength; i++) {
        ids[t * textLength + i] = i < padded.length ? padded[i] : tokenizer.padId();
        // The mask covers BOS, the tokens and EOS, as transformers' tokenizer with padding sets it.
        mask[t * textLength + i] = i < used ? 1 : 0;
      }
    }
    Map<String, Tensor> feed = new HashMap<>();
    feed.put("input_ids", Tensor.longs(ids, texts.size(), textLength));
    feed.put("attention_mask", Tensor.longs(mask, texts.size(), textLength));
    feed.put("pixel_values", pixels);
    return model.run(feed, output).get(output);
  }

  private static float[][] rows(Tensor t) {
    int n = t.dim(0);
    int d = t.dim(1);
    float[] data = t.floatData();
    float[][] out = new float[n][d];
    for (int i = 0; i < n; i++) {
      double norm = 0;
      for (int j = 0; j < d; j++) {
        norm += (double) data[i * d + j] * data[i * d + j];
      }
      double inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (int j = 0; j < d; j++) {
        out[i][j] = (float) (data[i * d + j] * inv);
      }
    }
    return out;
  }

  /** Cosine similarity of two L2-normalised embeddings. */
  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "cosine: expected embeddings of one width, found " + a.length + " and " + b.length);
    }
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  @Override
  public void close() {
    model.close();
  }
}
