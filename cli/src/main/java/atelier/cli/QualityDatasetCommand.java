package atelier.cli;

import atelier.quality.DegradedSet;
import atelier.quality.ImageFiles;
import atelier.quality.QualityLabel;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code atelier quality dataset}: good images in, a degraded good/average/poor training set out
 * ({@link DegradedSet}), ready for {@code quality train --data OUT/labels.csv}.
 */
@Command(
    name = "dataset",
    mixinStandardHelpOptions = true,
    description = {
      "Make a good/average/poor training set from good images.",
      "Each image gives 512² crops, kept as good, mildly degraded (average) and badly degraded",
      "(poor), and OUT/labels.csv (path,label,group; a file GROUP__NAME.png is in GROUP).",
      "Train on it with: atelier quality train --data OUT/labels.csv"
    })
final class QualityDatasetCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILES|DIR", description = "Good images or folders.")
  List<Path> inputs;

  @Option(
      names = {"-o", "--out"},
      required = true,
      paramLabel = "DIR",
      description = "A new or empty folder for good/ average/ poor/ and labels.csv.")
  Path out;

  @Option(
      names = "--crops",
      paramLabel = "N",
      description = "Random 512² crops per image (default 8).")
  int crops = 8;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description = "Seed for crops and defects (default 1).")
  long seed = 1;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Images degraded at once (default 2; the result does not depend on it).")
  int threads = 2;

  @Option(names = "--json", description = "Print one JSON document.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    if (threads < 1 || threads > 256) {
      throw new atelier.BadRequestException("--threads: expected 1 to 256, found " + threads);
    }
    DegradedSet.Summary s = DegradedSet.write(inputs, out, crops, seed, threads);
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path labels = out.resolve(DegradedSet.LABELS);
    if (json) {
      ObjectMapper m = new ObjectMapper();
      ObjectNode root = m.createObjectNode();
      root.put("labels", labels.toString());
      root.put("sources", s.sources());
      root.put("groups", s.groups());
      root.put("images", s.images());
      root.set("counts", m.valueToTree(s.counts()));
      root.put("crops", crops);
      root.put("seed", seed);
      var sk = root.putArray("skipped");
      for (ImageFiles.Skipped x : s.skipped()) {
        sk.addObject().put("file", x.path().toString()).put("reason", x.reason());
      }
      o.println(root.toString());
    } else {
      for (ImageFiles.Skipped x : s.skipped()) {
        err.println("atelier: skipped " + x.path() + ": " + x.reason());
      }
      o.println(
          String.format(
              Locale.ROOT,
              "wrote %d images from %d sources in %d groups (good %d, average %d, poor %d; seed %d)",
              s.images(),
              s.sources(),
              s.groups(),
              s.counts().get(QualityLabel.GOOD),
              s.counts().get(QualityLabel.AVERAGE),
              s.counts().get(QualityLabel.POOR),
              seed));
      o.println("labels in " + labels + "; train with: atelier quality train --data " + labels);
    }
    o.flush();
    err.flush();
    return 0;
  }
}
