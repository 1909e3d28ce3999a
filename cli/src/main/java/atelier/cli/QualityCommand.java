package atelier.cli;

import atelier.BadRequestException;
import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.quality.ClipModel;
import atelier.quality.ContactSheet;
import atelier.quality.FeatureExtractor;
import atelier.quality.ImageFiles;
import atelier.quality.QualityLabel;
import atelier.quality.QualityModel;
import atelier.quality.QualityTrainer;
import atelier.quality.ScorerResult;
import atelier.quality.Scorers;
import atelier.quality.ScoringInput;
import atelier.quality.Selection;
import atelier.quality.TrainingData;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier quality}: score images, draw contact sheets, train a quality model. */
@Command(
    name = "quality",
    mixinStandardHelpOptions = true,
    description = "Score images, draw contact sheets and train your own good/average/poor model.",
    subcommands = {
      QualityCommand.ScoreCommand.class,
      QualityCommand.SheetCommand.class,
      QualityCommand.TrainCommand.class,
      QualityDatasetCommand.class,
      QualityEvaluateCommand.class
    })
final class QualityCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where scorer models come from; shared by the subcommands and generate. */
  static final class ModelOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
        names = "--clip",
        paramLabel = "DIR",
        description = "CLIP export folder (default: models/" + Scorers.CLIP_FOLDER + ").")
    Path clip;

    @Option(
        names = "--aesthetic-model",
        paramLabel = "FILE",
        description = "LAION aesthetic MLP graph (default: models/laion-aesthetic/model.onnx).")
    Path aesthetic;

    @Option(names = "--device", paramLabel = "DEV", description = "cpu (default) or cuda.")
    String device;

    Scorers.Sources sources() {
      return new Scorers.Sources(
          Home.of(mixee),
          clip,
          aesthetic,
          SessionSettings.of(device == null ? Device.CPU : Device.lookup(device)));
    }
  }

  static List<String> split(List<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      for (String part : n.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  /** Reads the images, reporting unreadable ones; returns the readable candidates. */
  static List<Selection.Candidate> read(List<Path> inputs, List<ImageFiles.Skipped> skipped) {
    ImageFiles.Listing listing = ImageFiles.list(inputs);
    skipped.addAll(listing.skipped());
    List<Selection.Candidate> out = new ArrayList<>();
    for (Path p : listing.images()) {
      try {
        BufferedImage img = ImageFiles.read(p);
        out.add(new Selection.Candidate(p.toString(), null, ScoringInput.of(img, promptOf(p))));
      } catch (BadRequestException e) {
        skipped.add(new ImageFiles.Skipped(p, e.getMessage()));
      }
    }
    if (out.isEmpty()) {
      throw new BadRequestException(
          "images: expected at least one readable image, found none"
              + (skipped.isEmpty() ? "" : " (" + skipped.size() + " skipped)"));
    }
    return out;
  }

  /**
   * The prompt stored in an Atelier PNG, for the CLIP scorer; null when none.
   *
   * @throws BadRequestException when the PNG's text chunks are damaged or exceed the limits (the
   *     file is then skipped with that reason)
   */
  private static String promptOf(Path p) {
    if (!atelier.image.PngText.isPng(p)) {
      return null;
    }
    String json = atelier.pipeline.ArtworkPng.texts(p).get(atelier.pipeline.ArtworkPng.RECORD);
    try {
      var settings =
          json == null
              ? null
              : atelier.pipeline.ArtworkPng.json()
                  .readValue(json, atelier.pipeline.ImageRecord.class)
                  .settings();
      return settings == null ? null : settings.prompt();
    } catch (java.io.IOException | RuntimeException e) {
      return null; // a damaged record only costs the CLIP scorer its prompt
    }
  }

  static ObjectNode rankedJson(Selection.Ranked r, ObjectMapper m) {
    return atelier.quality.SelectionReport.rankedJson(r);
  }

  static List<ContactSheet.Cell> cells(
      Selection.Report report, List<Selection.Candidate> candidates, boolean marks) {
    return atelier.quality.SelectionReport.cells(report, candidates, marks);
  }

  static void writeSheet(BufferedImage sheet, Path out) {
    try {
      atelier.AtomicFiles.write(out, o -> ImageIO.write(sheet, "png", o));
    } catch (IOException e) {
      throw atelier.OutputTarget.failure(out, e);
    }
  }

  @Command(
      name = "score",
      mixinStandardHelpOptions = true,
      description = {
        "Score images, best first; the first scorer ranks.",
        "Scorers: quality:default (the built-in judge; the default), technical, brisque, clip,",
        "aesthetic, quality:NAME (a model from 'quality train')."
      })
  static final class ScoreCommand implements Callable<Integer>, Terminal.JsonAware {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILES|DIR", description = "Images or folders.")
    List<Path> inputs;

    @Option(
        names = {"--scorers", "--scorer"},
        split = ",",
        paramLabel = "NAMES",
        description =
            "Comma-separated scorers (default: quality:default, the built-in judge; technical"
                + " when it cannot be loaded).")
    List<String> scorers = new ArrayList<>(List.of(Scorers.DEFAULT));

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Option(names = "--csv", description = "Print CSV: file, rank, each scorer's overall score.")
    boolean csv;

    @Option(names = "--sheet", paramLabel = "FILE.png", description = "Also draw a contact sheet.")
    Path sheet;

    @Mixin ModelOptions models = new ModelOptions();

    @Override
    public boolean json() {
      return json;
    }

    @Override
    public Integer call() {
      if (json && csv) {
        throw new BadRequestException("--json and --csv: expected one output format, found both");
      }
      List<ImageFiles.Skipped> skipped = new ArrayList<>();
      List<Selection.Candidate> candidates = read(inputs, skipped);
      PrintWriter o = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try (Scorers s = Scorers.open(split(scorers), models.sources())) {
        s.notes().forEach(n -> err.println("atelier: note: " + n));
        Selection.Report report = Selection.select(candidates, s.list(), candidates.size(), null);
        if (sheet != null) {
          writeSheet(ContactSheet.render(cells(report, candidates, false), 5, 192), sheet);
        }
        if (json) {
          ObjectMapper m = new ObjectMapper();
          ObjectNode root = m.createObjectNode();
          root.put("ranked_by", report.rankedBy());
          root.put("scale", report.scale());
          ArrayNode images = root.putArray("images");
          report.candidates().forEach(r -> images.add(rankedJson(r, m)));
          ArrayNode sk = root.putArray("skipped");
          for (ImageFiles.Skipped x : skipped) {
            sk.addObject().put("file", x.path().toString()).put("reason", x.reason());
          }
          o.println(root.toString());
        } else if (csv) {
          List<String> header = new ArrayList<>(List.of("file", "rank"));
          s.list().forEach(x -> header.add(x.name()));
          header.add("failures");
          o.println(String.join(",", header));
          for (Selection.Ranked r : report.candidates()) {
            List<String> row = new ArrayList<>(List.of(quote(r.id()), String.valueOf(r.rank())));
            List<String> failures = new ArrayList<>();
            for (ScorerResult res : r.results()) {
              row.add(String.format(Locale.ROOT, "%.3f", res.overall()));
              failures.addAll(res.failures());
            }
            row.add(quote(String.join("; ", failures)));
            o.println(String.join(",", row));
          }
          for (ImageFiles.Skipped x : skipped) {
            err.println("atelier: skipped " + x.path() + ": " + x.reason());
          }
        } else {
          o.println("ranked by " + report.rankedBy() + " (" + report.scale() + ")");
          for (Selection.Ranked r : report.candidates()) {
            o.println(String.format(Locale.ROOT, "%3d  %7.2f  %s", r.rank(), r.score(), r.id()));
            for (ScorerResult res : r.results()) {
              String reason = res.scores().isEmpty() ? "" : res.scores().get(0).reason();
              o.println(
                  String.format(
                      Locale.ROOT, "       %-12s %7.2f  %s", res.scorer(), res.overall(), reason));
            }
          }
          for (ImageFiles.Skipped x : skipped) {
            err.println("atelier: skipped " + x.path() + ": " + x.reason());
          }
          if (sheet != null) {
            o.println("wrote contact sheet " + sheet);
          }
        }
      }
      o.flush();
      err.flush();
      return 0;
    }

    private static String quote(String s) {
      return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
  }

  @Command(
      name = "sheet",
      mixinStandardHelpOptions = true,
      description = "Draw a contact sheet: thumbnails ranked by the first scorer, with scores.")
  static final class SheetCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILES|DIR", description = "Images or folders.")
    List<Path> inputs;

    @Option(
        names = {"-o", "--out"},
        required = true,
        paramLabel = "FILE.png",
        description = "Where to write the sheet.")
    Path out;

    @Option(
        names = {"--scorers", "--scorer"},
        split = ",",
        paramLabel = "NAMES",
        description =
            "Comma-separated scorers (default: quality:default, the built-in judge; technical"
                + " when it cannot be loaded).")
    List<String> scorers = new ArrayList<>(List.of(Scorers.DEFAULT));

    @Option(names = "--columns", paramLabel = "N", description = "Thumbnails per row (default 5).")
    int columns = 5;

    @Option(names = "--thumb", paramLabel = "PX", description = "Thumbnail size (default 192).")
    int thumb = 192;

    @Mixin ModelOptions models = new ModelOptions();

    @Override
    public Integer call() {
      if (columns < 1 || thumb < 32) {
        throw new BadRequestException(
            "--columns/--thumb: expected ≥ 1 and ≥ 32, found " + columns + " and " + thumb);
      }
      List<ImageFiles.Skipped> skipped = new ArrayList<>();
      List<Selection.Candidate> candidates = read(inputs, skipped);
      try (Scorers s = Scorers.open(split(scorers), models.sources())) {
        s.notes().forEach(n -> spec.commandLine().getErr().println("atelier: note: " + n));
        Selection.Report report = Selection.select(candidates, s.list(), candidates.size(), null);
        writeSheet(ContactSheet.render(cells(report, candidates, false), columns, thumb), out);
      }
      for (ImageFiles.Skipped x : skipped) {
        spec.commandLine().getErr().println("atelier: skipped " + x.path() + ": " + x.reason());
      }
      spec.commandLine().getOut().println("wrote " + out + " (" + candidates.size() + " images)");
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description = {
        "Train a good/average/poor model on your labelled images.",
        "Folders good/ average/ poor/ or a CSV of path,label; reports k-fold accuracy,",
        "precision/recall and the confusion matrix.",
        "A CSV with the header path,label,group keeps each group in one fold."
      })
  static final class TrainCommand implements Callable<Integer>, Terminal.JsonAware {
    @Spec CommandSpec spec;

    @Option(
        names = "--data",
        required = true,
        paramLabel = "DIR|CSV",
        description = "Labelled images.")
    Path data;

    @Option(names = "--name", paramLabel = "NAME", description = "Model name (default: house).")
    String name = "house";

    @Option(
        names = {"-o", "--out"},
        paramLabel = "FILE",
        description = "Model file (default: ATELIER_HOME/quality/NAME.tribuo).")
    Path out;

    @Option(
        names = "--trainer",
        paramLabel = "ALG",
        description = "forest (default: a 100-tree random forest) or logistic.")
    String trainer = "forest";

    @Option(names = "--trees", paramLabel = "N", description = "Trees in the forest (default 100).")
    int trees = QualityTrainer.Forest.DEFAULT.trees();

    @Option(
        names = "--depth",
        paramLabel = "D",
        description = "Greatest depth of each tree of the forest (default 14).")
    int depth = QualityTrainer.Forest.DEFAULT.depth();

    @Option(
        names = "--folds",
        paramLabel = "K",
        description = "Cross-validation folds (default 5).")
    int folds = 5;

    @Option(
        names = "--seed",
        paramLabel = "S",
        description = "Seed for folds and training (default 1).")
    long seed = 1;

    @Option(
        names = "--features",
        paramLabel = "KIND",
        description = "auto (CLIP embeddings when a CLIP model is installed), technical or clip.")
    String features = "auto";

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Mixin ModelOptions models = new ModelOptions();

    @Override
    public boolean json() {
      return json;
    }

    @Override
    public Integer call() throws IOException {
      if (!name.matches("[A-Za-z0-9._-]+")) {
        throw new BadRequestException(
            "--name: expected letters, digits, '.', '_' or '-', found '" + name + "'");
      }
      if (out == null && name.equalsIgnoreCase(QualityModel.BUILT_IN)) {
        throw new BadRequestException(
            "--name: expected a name other than '"
                + name
                + "' (quality:default is the built-in judge), found '"
                + name
                + "'; choose another name or give -o FILE");
      }
      QualityTrainer.Algorithm algorithm = QualityTrainer.Algorithm.lookup(trainer);
      QualityTrainer.Forest forest = new QualityTrainer.Forest(trees, depth);
      List<TrainingData.Item> items = TrainingData.load(data);
      Scorers.Sources sources = models.sources();
      Path clipDir =
          models.clip != null ? models.clip : sources.home().models().resolve(Scorers.CLIP_FOLDER);
      boolean useClip =
          switch (features.toLowerCase(Locale.ROOT)) {
            case "auto" -> Files.isRegularFile(clipDir.resolve("model.onnx"));
            case "technical" -> false;
            case "clip" -> true;
            default ->
                throw new BadRequestException(
                    "--features: expected auto, technical or clip, found '" + features + "'");
          };
      PrintWriter err = spec.commandLine().getErr();
      List<QualityTrainer.Example> examples = new ArrayList<>();
      List<String> skipped = new ArrayList<>();
      try (ClipModel clip = useClip ? ClipModel.open(clipDir, sources.settings()) : null) {
        FeatureExtractor fx = new FeatureExtractor(clip);
        for (TrainingData.Item it : items) {
          try {
            BufferedImage img = ImageFiles.read(it.path());
            examples.add(
                new QualityTrainer.Example(
                    it.label(), fx.extract(List.of(img)).get(0), it.group()));
          } catch (BadRequestException e) {
            skipped.add(e.getMessage());
            if (!json) {
              err.println("atelier: skipped " + e.getMessage());
            }
          }
        }
      }
      QualityTrainer.Result r = QualityTrainer.train(examples, algorithm, folds, seed, forest);
      Path file =
          out != null
              ? out
              : Scorers.qualityFolder(sources.home()).resolve(name + QualityModel.EXTENSION);
      r.model().save(file);
      PrintWriter o = spec.commandLine().getOut();
      var cv = r.crossValidation();
      if (json) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("model", file.toString());
        root.put("scorer", "quality:" + (out != null ? file.toString() : name));
        root.put("trainer", algorithm.id());
        if (algorithm == QualityTrainer.Algorithm.FOREST) {
          root.put("trees", forest.trees());
          root.put("depth", forest.depth());
        }
        root.put("features", useClip ? "technical+clip" : "technical");
        root.put("examples", examples.size());
        root.set("counts", m.valueToTree(r.counts()));
        root.put("folds", folds);
        root.put("groups", r.groups());
        root.put("accuracy", cv.accuracy());
        root.set("fold_accuracies", m.valueToTree(r.foldAccuracies()));
        root.set("precision", m.valueToTree(cv.precision()));
        root.set("recall", m.valueToTree(cv.recall()));
        root.set("confusion", m.valueToTree(cv.confusion()));
        root.put("good_vs_poor_auc", cv.goodVsPoorAuc());
        root.set("skipped", m.valueToTree(skipped));
        o.println(root.toString());
      } else {
        o.println(
            String.format(
                Locale.ROOT,
                "trained %s on %d images (%s features): good %d, average %d, poor %d",
                algorithm == QualityTrainer.Algorithm.FOREST
                    ? String.format(
                        Locale.ROOT, "forest (%d trees, depth %d)", forest.trees(), forest.depth())
                    : algorithm.id(),
                examples.size(),
                useClip ? "technical + CLIP" : "technical",
                r.counts().get(QualityLabel.GOOD),
                r.counts().get(QualityLabel.AVERAGE),
                r.counts().get(QualityLabel.POOR)));
        o.println(
            String.format(
                Locale.ROOT,
                "%d-fold cross-validation%s: accuracy %.3f (folds %s), good-vs-poor AUC %.3f",
                folds,
                r.groups() < examples.size() ? " (folds of whole groups, " + r.groups() + ")" : "",
                cv.accuracy(),
                r.foldAccuracies().stream()
                    .map(a -> String.format(Locale.ROOT, "%.3f", a))
                    .toList(),
                cv.goodVsPoorAuc()));
        o.println("            precision  recall");
        for (QualityLabel l : QualityLabel.values()) {
          o.println(
              String.format(
                  Locale.ROOT,
                  "  %-8s  %9.3f  %6.3f",
                  l.id(),
                  cv.precision().get(l),
                  cv.recall().get(l)));
        }
        o.println("confusion (rows: truth, columns: predicted good average poor)");
        for (QualityLabel l : QualityLabel.values()) {
          long[] row = cv.confusion()[l.ordinal()];
          o.println(
              String.format(Locale.ROOT, "  %-8s  %5d %7d %4d", l.id(), row[0], row[1], row[2]));
        }
        o.println("saved " + file + "; score with --scorer quality:" + (out != null ? file : name));
      }
      o.flush();
      return 0;
    }
  }
}
