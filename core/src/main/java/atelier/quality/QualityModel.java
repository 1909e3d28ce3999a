package atelier.quality;

import atelier.BadRequestException;
import atelier.ModelLoadException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

/**
 * A trained good/average/poor classifier: a Tribuo model over {@link QualityFeatures}, saved as
 * Tribuo's protobuf model file. Thread-safe for prediction (Tribuo models are immutable).
 */
public final class QualityModel {
  /** File extension of saved models. */
  public static final String EXTENSION = ".tribuo";

  /** Name of the built-in judge ({@code quality:default}). */
  public static final String BUILT_IN = "default";

  /**
   * Classpath resource of the built-in judge; {@code default.md} beside it says how it was trained,
   * on what, and how to make it again.
   */
  public static final String BUILT_IN_RESOURCE = "/atelier/quality/default.tribuo.gz";

  /** The built-in judge, loaded once; or why it could not be. */
  private static final class BuiltIn {
    static final Object MODEL = loadResource(BUILT_IN_RESOURCE);
  }

  private final Model<Label> model;
  private final List<String> features;
  private final int clipWidth;

  QualityModel(Model<Label> model) {
    this.model = model;
    List<String> names = new ArrayList<>();
    for (VariableInfo v : model.getFeatureIDMap()) {
      names.add(v.getName());
    }
    this.features = List.copyOf(names);
    for (String n : names) {
      if (!n.startsWith(QualityFeatures.CLIP_PREFIX) && !QualityFeatures.TECHNICAL.contains(n)) {
        // A model from a newer Atelier would otherwise see 0 for the feature and mispredict.
        throw new ModelLoadException(
            "quality model: expected features among "
                + QualityFeatures.TECHNICAL
                + " and clip_*, found '"
                + n
                + "' (trained by a newer Atelier? retrain it with this one)");
      }
    }
    this.clipWidth =
        (int) names.stream().filter(n -> n.startsWith(QualityFeatures.CLIP_PREFIX)).count();
    for (QualityLabel l : QualityLabel.values()) {
      if (model.getOutputIDInfo().getID(new Label(l.id())) < 0) {
        throw new ModelLoadException(
            "quality model: expected the labels good, average and poor, found "
                + model.getOutputIDInfo().getDomain());
      }
    }
  }

  /**
   * Loads a model file written by {@link #save}.
   *
   * @throws ModelLoadException when the file is missing or not a good/average/poor model
   */
  public static QualityModel load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException(
          "quality model: expected a model file at " + file + ", found none");
    }
    Model<?> m;
    try (InputStream in = Files.newInputStream(file)) {
      m = Model.deserializeFromStream(gunzipped(in));
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(
          "quality model "
              + file
              + ": expected a Tribuo model file, could not read it: "
              + e.getMessage(),
          e);
    }
    return of(m, file.toString());
  }

  @SuppressWarnings("unchecked")
  private static QualityModel of(Model<?> m, String from) {
    if (!m.validate(Label.class)) {
      throw new ModelLoadException(
          "quality model "
              + from
              + ": expected a classification model, found "
              + m.getClass().getSimpleName());
    }
    return new QualityModel((Model<Label>) m);
  }

  /**
   * The built-in judge (a random forest over the technical features; {@code default.md} beside the
   * resource has its recipe and data), loaded on first use and shared.
   *
   * @throws ModelLoadException when the resource is missing or unreadable
   */
  public static QualityModel builtIn() {
    Object m = BuiltIn.MODEL;
    if (m instanceof ModelLoadException e) {
      throw new ModelLoadException(e.getMessage(), e);
    }
    return (QualityModel) m;
  }

  /** The model in a classpath resource, or the {@link ModelLoadException} saying why not. */
  static Object loadResource(String resource) {
    try (var in = QualityModel.class.getResourceAsStream(resource)) {
      if (in == null) {
        return new ModelLoadException(
            "quality:"
                + BUILT_IN
                + ": expected the built-in model at classpath "
                + resource
                + ", found none");
      }
      return of(Model.deserializeFromStream(gunzipped(in)), "classpath " + resource);
    } catch (IOException | RuntimeException e) {
      return e instanceof ModelLoadException m
          ? m
          : new ModelLoadException(
              "quality:"
                  + BUILT_IN
                  + ": expected a Tribuo model at classpath "
                  + resource
                  + ", could not read it: "
                  + e.getMessage(),
              e);
    }
  }

  /** The stream itself, or its decompressed content when it starts with the gzip magic number. */
  private static InputStream gunzipped(InputStream raw) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in) : in;
  }

  /**
   * Writes the model (Tribuo protobuf format), gzip-compressed when the file name ends in {@code
   * .gz} (a tenth of the size for forests; {@link #load} reads both).
   */
  public void save(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    if (file.getFileName().toString().endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
        model.serializeToStream(out);
      }
    } else {
      model.serializeToFile(file);
    }
  }

  /** Whether the model needs CLIP image embeddings. */
  public boolean usesClip() {
    return clipWidth > 0;
  }

  /** Width of the CLIP embedding the model was trained with (0 when none). */
  public int clipWidth() {
    return clipWidth;
  }

  /** The feature names the model knows. */
  public List<String> features() {
    return features;
  }

  /** The Tribuo model (for provenance and inspection). */
  public Model<Label> tribuoModel() {
    return model;
  }

  /**
   * Class probabilities for one feature vector in {@link QualityFeatures#names} order.
   *
   * @throws BadRequestException when the vector's CLIP width does not match the model's
   */
  public Map<QualityLabel, Double> predict(double[] vector) {
    int width = vector.length - QualityFeatures.TECHNICAL.size();
    if (width != clipWidth) {
      throw new BadRequestException(
          "quality model: expected "
              + (clipWidth == 0
                  ? "technical features only"
                  : "a CLIP embedding of width " + clipWidth)
              + ", found "
              + (width == 0 ? "none" : "width " + width));
    }
    List<String> names = QualityFeatures.names(width);
    ArrayExample<Label> ex =
        new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, names.toArray(String[]::new), vector);
    return probabilities(model.predict(ex));
  }

  static Map<QualityLabel, Double> probabilities(Prediction<Label> p) {
    Map<QualityLabel, Double> out = new EnumMap<>(QualityLabel.class);
    double sum = 0;
    for (QualityLabel l : QualityLabel.values()) {
      Label s = p.getOutputScores().get(l.id());
      double v = s == null ? 0 : Math.max(0, s.getScore());
      out.put(l, v);
      sum += v;
    }
    if (sum > 0) {
      for (QualityLabel l : QualityLabel.values()) {
        out.put(l, out.get(l) / sum);
      }
    }
    return out;
  }

  /** The expected grade in 0..100: {@code 100·P(good) + 50·P(average)}. */
  public static double grade(Map<QualityLabel, Double> p) {
    return 100 * p.getOrDefault(QualityLabel.GOOD, 0.0)
        + 50 * p.getOrDefault(QualityLabel.AVERAGE, 0.0);
  }
}
