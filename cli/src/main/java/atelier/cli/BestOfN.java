package atelier.cli;

import atelier.model.SessionSettings;
import atelier.pipeline.Artwork;
import atelier.pipeline.GenerationResult;
import atelier.quality.Scorers;
import atelier.quality.ScoringInput;
import atelier.quality.Selection;
import atelier.quality.SelectionReport;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code generate --candidates N --keep K [--min-score X] [--scorer …]}: scores the N candidates,
 * writes the kept ones, a JSON report of every candidate and a contact sheet, and prints the yield.
 */
final class BestOfN {
  private final GenerateCommand cmd;
  private final int keep;

  private BestOfN(GenerateCommand cmd, int keep) {
    this.cmd = cmd;
    this.keep = keep;
  }

  /** The best-of-N settings of {@code cmd}, or null when {@code --candidates} is not given. */
  static BestOfN of(GenerateCommand cmd) {
    atelier.jobs.GenerateSpec.checkBestOfN(
        cmd.candidates, cmd.keep, cmd.minScore, cmd.scorers, cmd.batch);
    if (cmd.candidates == null) {
      return null;
    }
    return new BestOfN(cmd, cmd.keep == null ? 1 : cmd.keep);
  }

  int keep() {
    return keep;
  }

  void run(
      GenerationResult result,
      Output output,
      java.util.function.Function<Artwork, Path> write,
      PrintWriter o,
      SessionSettings settings) {
    List<Selection.Candidate> candidates = new ArrayList<>();
    for (Artwork a : result.images()) {
      long seed = a.record().settings().seed();
      candidates.add(
          new Selection.Candidate(
              "seed " + seed,
              seed,
              new ScoringInput(a.image(), a.record().settings().prompt(), a.latents())));
    }
    List<String> names =
        cmd.scorers == null ? List.of("technical") : QualityCommand.split(cmd.scorers);
    Selection.Report report;
    Scorers.Sources sources =
        new Scorers.Sources(
            Home.of(cmd.spec), cmd.clip, cmd.aestheticModel, SessionSettings.of(settings.device()));
    try (Scorers s = Scorers.open(names, sources)) {
      report = Selection.select(candidates, s.list(), keep, cmd.minScore);
    }
    PrintWriter text = cmd.json ? null : o;
    if (text != null) {
      SelectionReport.lines(report).forEach(text::println);
      text.flush();
    }
    Map<Integer, Path> written = new LinkedHashMap<>();
    for (Selection.Ranked r : report.kept()) {
      Path file = write.apply(result.images().get(r.index()));
      written.put(r.index(), file);
      if (text != null) {
        text.println("wrote " + file);
        text.flush();
      }
    }
    ObjectNode root = SelectionReport.json(report, candidates.size(), written);
    // An earlier run's report with the same first seed is kept: this one takes the next free name.
    SelectionReport.Files files =
        SelectionReport.writeUnique(
            root, report, candidates, reportPath(output, candidates.get(0).seed()));
    Path reportFile = files.report();
    Path sheetFile = files.sheet();
    if (cmd.json) {
      root.put("report", reportFile.toString());
      root.put("sheet", sheetFile.toString());
      o.println(root.toString());
    } else {
      o.println(SelectionReport.summary(report, written.size(), reportFile, sheetFile));
    }
    o.flush();
  }

  private static Path reportPath(Output output, long seed) {
    return output.dir().resolve(String.format(Locale.ROOT, "selection-%d.json", seed));
  }
}
