package atelier.cli;

import atelier.BadRequestException;
import atelier.quality.ClassificationMetrics;
import atelier.quality.ImageFiles;
import atelier.quality.QualityLabel;
import atelier.quality.Scorer;
import atelier.quality.Scorers;
import atelier.quality.ScoringInput;
import atelier.quality.TrainingData;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code atelier quality evaluate}: how well scorers separate labelled images — good-vs-poor and
 * good-vs-average AUC of each scorer's overall score, and its mean per label. Use it on images no
 * model was trained on.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Measure how well scorers separate labelled images (AUC).",
      "Data as for train (good/ average/ poor/ folders or a CSV); prints each scorer's",
      "good-vs-poor and good-vs-average AUC (1 = perfect, 0.5 = chance)."
    })
final class QualityEvaluateCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR|CSV",
      description = "Labelled images.")
  Path data;

  @Option(
      names = {"--scorers", "--scorer"},
      split = ",",
      paramLabel = "NAMES",
      description = "Comma-separated scorers (default: quality:default,technical).")
  List<String> scorers = new ArrayList<>(List.of(Scorers.DEFAULT, "technical"));

  @Option(names = "--json", description = "Print one JSON document.")
  boolean json;

  @Mixin QualityCommand.ModelOptions models = new QualityCommand.ModelOptions();

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    List<TrainingData.Item> items = TrainingData.load(data);
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<String> skipped = new ArrayList<>();
    try (Scorers s = Scorers.open(QualityCommand.split(scorers), models.sources())) {
      s.notes().forEach(n -> err.println("atelier: note: " + n));
      int k = s.list().size();
      List<Map<QualityLabel, List<Double>>> scores = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        Map<QualityLabel, List<Double>> m = new EnumMap<>(QualityLabel.class);
        for (QualityLabel l : QualityLabel.values()) {
          m.put(l, new ArrayList<>());
        }
        scores.add(m);
      }
      for (TrainingData.Item it : items) {
        BufferedImage img;
        try {
          img = ImageFiles.read(it.path());
        } catch (BadRequestException e) {
          skipped.add(e.getMessage());
          if (!json) {
            err.println("atelier: skipped " + e.getMessage());
          }
          continue;
        }
        ScoringInput in = ScoringInput.of(img);
        for (int i = 0; i < k; i++) {
          scores.get(i).get(it.label()).add(s.list().get(i).score(in).overall());
        }
      }
      Map<QualityLabel, Integer> counts = new EnumMap<>(QualityLabel.class);
      for (QualityLabel l : QualityLabel.values()) {
        counts.put(l, scores.get(0).get(l).size());
        if (counts.get(l) == 0) {
          throw new BadRequestException(
              "--data " + data + ": expected readable " + l.id() + " images, found none");
        }
      }
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode root = mapper.createObjectNode();
      root.put("data", data.toString());
      root.set("counts", mapper.valueToTree(counts));
      ObjectNode per = root.putObject("scorers");
      if (!json) {
        o.println(
            String.format(
                Locale.ROOT,
                "%s: good %d, average %d, poor %d images",
                data,
                counts.get(QualityLabel.GOOD),
                counts.get(QualityLabel.AVERAGE),
                counts.get(QualityLabel.POOR)));
        o.println(
            "scorer              good-vs-poor AUC  good-vs-average AUC  mean good/average/poor");
      }
      for (int i = 0; i < k; i++) {
        Scorer sc = s.list().get(i);
        Map<QualityLabel, List<Double>> m = scores.get(i);
        double poorAuc =
            ClassificationMetrics.auc(m.get(QualityLabel.GOOD), m.get(QualityLabel.POOR));
        double avgAuc =
            ClassificationMetrics.auc(m.get(QualityLabel.GOOD), m.get(QualityLabel.AVERAGE));
        ObjectNode n = per.putObject(sc.name());
        n.put("good_vs_poor_auc", poorAuc);
        n.put("good_vs_average_auc", avgAuc);
        ObjectNode means = n.putObject("mean");
        for (QualityLabel l : QualityLabel.values()) {
          means.put(l.id(), mean(m.get(l)));
        }
        if (!json) {
          o.println(
              String.format(
                  Locale.ROOT,
                  "%-19s %16.3f  %19.3f  %.1f / %.1f / %.1f",
                  sc.name(),
                  poorAuc,
                  avgAuc,
                  mean(m.get(QualityLabel.GOOD)),
                  mean(m.get(QualityLabel.AVERAGE)),
                  mean(m.get(QualityLabel.POOR))));
        }
      }
      if (json) {
        root.set("skipped", mapper.valueToTree(skipped));
        root.set("notes", mapper.valueToTree(s.notes()));
        o.println(root.toString());
      }
    }
    o.flush();
    err.flush();
    return 0;
  }

  private static double mean(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }
}
