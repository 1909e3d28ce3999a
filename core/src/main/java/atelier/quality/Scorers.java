package atelier.quality;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.ModelLoadException;
import atelier.model.SessionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Opens scorers by name — {@code technical}, {@code brisque}, {@code clip}, {@code aesthetic},
 * {@code quality:NAME} — with the models they need, and closes them together. Models are looked up
 * in the Atelier home unless given: CLIP in {@code models/clip-vit-large-patch14/}, the aesthetic
 * MLP at {@code models/laion-aesthetic/model.onnx}, trained quality models at {@code
 * quality/NAME.tribuo}. {@code quality:default} is the built-in judge ({@link
 * QualityModel#builtIn}), the default ranker; when it cannot be loaded, {@code technical} ranks in
 * its place and {@link #notes} says so.
 *
 * <p>Not thread-safe to open or close; the scorers it holds are thread-safe.
 */
public final class Scorers implements AutoCloseable {
  /** The scorer names (besides {@code quality:NAME}). */
  public static final List<String> NAMES =
      List.of(TechnicalScorer.NAME, BrisqueScorer.NAME, ClipScorer.NAME, AestheticScorer.NAME);

  /** The default ranker: the built-in judge. */
  public static final String DEFAULT = QualityScorer.PREFIX + QualityModel.BUILT_IN;

  /** Folder of the CLIP export under {@code models/}. */
  public static final String CLIP_FOLDER = "clip-vit-large-patch14";

  /** Folder of the aesthetic MLP under {@code models/}. */
  public static final String AESTHETIC_FOLDER = "laion-aesthetic";

  /**
   * Where models come from.
   *
   * @param home the Atelier home (default folders)
   * @param clip a CLIP export folder, or {@code null} for the default
   * @param aesthetic the aesthetic MLP graph, or {@code null} for the default
   * @param settings ONNX Runtime session settings
   */
  public record Sources(AtelierHome home, Path clip, Path aesthetic, SessionSettings settings) {
    public Sources {
      if (home == null || settings == null) {
        throw new IllegalArgumentException("scorer sources: expected a home and session settings");
      }
    }

    Path clipFolder() {
      return clip != null ? clip : home.models().resolve(CLIP_FOLDER);
    }

    Path aestheticGraph() {
      return aesthetic != null
          ? aesthetic
          : home.models().resolve(AESTHETIC_FOLDER).resolve("model.onnx");
    }

    /** The model file for {@code quality:NAME}: NAME as a path when it is a file, else in home. */
    Path qualityModel(String name) {
      Path p = Path.of(name);
      if (name.endsWith(QualityModel.EXTENSION) || Files.isRegularFile(p)) {
        return p;
      }
      return qualityFolder(home).resolve(name + QualityModel.EXTENSION);
    }
  }

  /**
   * Why the named scorer cannot be opened with these sources (its model files are not installed),
   * or empty when it can be tried. Checks files only; opens nothing.
   */
  public static java.util.Optional<String> missing(String name, Sources sources) {
    return missing(name, sources, QualityModel::builtIn);
  }

  static java.util.Optional<String> missing(
      String name, Sources sources, Supplier<QualityModel> builtIn) {
    String lower = name.trim().toLowerCase(Locale.ROOT);
    if (lower.equals(DEFAULT)) {
      try {
        builtIn.get();
        return java.util.Optional.empty();
      } catch (ModelLoadException e) {
        return java.util.Optional.of(e.getMessage());
      }
    }
    Path needed = null;
    if (lower.equals(ClipScorer.NAME) || lower.equals(AestheticScorer.NAME)) {
      needed = sources.clipFolder().resolve("model.onnx");
      if (Files.isRegularFile(needed) && lower.equals(AestheticScorer.NAME)) {
        needed = sources.aestheticGraph();
      }
    } else if (lower.startsWith(QualityScorer.PREFIX)) {
      needed = sources.qualityModel(name.trim().substring(QualityScorer.PREFIX.length()));
    }
    return needed == null || Files.isRegularFile(needed)
        ? java.util.Optional.empty()
        : java.util.Optional.of(name.trim() + " needs " + needed + ", which is not installed");
  }

  /** Where {@code quality train} saves models by name. */
  public static Path qualityFolder(AtelierHome home) {
    return home.root().resolve("quality");
  }

  private final List<Scorer> scorers;
  private final ClipModel clip;
  private final List<String> notes;

  private Scorers(List<Scorer> scorers, ClipModel clip, List<String> notes) {
    this.scorers = List.copyOf(scorers);
    this.clip = clip;
    this.notes = List.copyOf(notes);
  }

  /**
   * Opens the named scorers, in order; CLIP is opened once if any needs it.
   *
   * @throws BadRequestException for an unknown name
   * @throws ModelLoadException when a needed model is missing or broken
   */
  public static Scorers open(List<String> names, Sources sources) {
    return open(names, sources, QualityModel::builtIn);
  }

  static Scorers open(List<String> names, Sources sources, Supplier<QualityModel> builtIn) {
    if (names.isEmpty()) {
      throw new BadRequestException("--scorers: expected at least one scorer, found none");
    }
    List<Scorer> opened = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    ClipModel clip = null;
    try {
      for (String raw : names) {
        String n = raw.trim();
        String lower = n.toLowerCase(Locale.ROOT);
        if (lower.equals(DEFAULT)) {
          try {
            opened.add(new QualityScorer(QualityModel.BUILT_IN, builtIn.get(), null));
          } catch (ModelLoadException e) {
            notes.add(e.getMessage() + "; scoring with " + TechnicalScorer.NAME + " instead");
            opened.add(new TechnicalScorer());
          }
          continue;
        }
        if (lower.startsWith(QualityScorer.PREFIX)) {
          String model = n.substring(QualityScorer.PREFIX.length());
          if (model.isBlank()) {
            throw new BadRequestException("--scorer: expected quality:NAME, found '" + n + "'");
          }
          QualityModel m = QualityModel.load(sources.qualityModel(model));
          if (m.usesClip() && clip == null) {
            clip = ClipModel.open(sources.clipFolder(), sources.settings());
          }
          String label =
              Path.of(model).getFileName().toString().replace(QualityModel.EXTENSION, "");
          opened.add(new QualityScorer(label, m, clip));
          continue;
        }
        switch (lower) {
          case TechnicalScorer.NAME -> opened.add(new TechnicalScorer());
          case BrisqueScorer.NAME -> opened.add(BrisqueScorer.open(null, sources.home().cache()));
          case ClipScorer.NAME, AestheticScorer.NAME -> {
            if (clip == null) {
              clip = ClipModel.open(sources.clipFolder(), sources.settings());
            }
            opened.add(
                lower.equals(ClipScorer.NAME)
                    ? new ClipScorer(clip)
                    : AestheticScorer.open(sources.aestheticGraph(), clip, sources.settings()));
          }
          default ->
              throw new BadRequestException(
                  "scorer: expected one of "
                      + String.join(", ", NAMES)
                      + " or quality:NAME, found '"
                      + n
                      + "'");
        }
      }
      return new Scorers(opened, clip, notes);
    } catch (RuntimeException e) {
      new Scorers(opened, clip, notes).close();
      throw e;
    }
  }

  /** Wraps scorers the caller built (tests, embedding); closing closes them. */
  public static Scorers of(List<Scorer> scorers) {
    return new Scorers(scorers, null, List.of());
  }

  /** The scorers, in the order asked for. */
  public List<Scorer> list() {
    return scorers;
  }

  /** What the caller should be told: a scorer that fell back to another, and why. */
  public List<String> notes() {
    return notes;
  }

  /** Closes every scorer and the CLIP model, even if one fails. */
  @Override
  public void close() {
    RuntimeException first = null;
    for (Scorer s : scorers) {
      try {
        s.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (clip != null) {
      try {
        clip.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
