package atelier.cli;

import atelier.BadRequestException;
import atelier.model.SessionSettings;
import atelier.pipeline.Artwork;
import atelier.pipeline.GenerationResult;
import atelier.quality.Scorers;
import atelier.quality.ScoringInput;
import atelier.quality.Selection;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
    if (cmd.candidates == null) {
      if (cmd.keep != null || cmd.minScore != null || cmd.scorers != null) {
        throw new BadRequestException(
            "--keep/--min-score/--scorer: expected --candidates N with them, found none");
      }
      return null;
    }
    if (cmd.batch != null) {
      throw new BadRequestException("--batch and --candidates: expected one of them, found both");
    }
    int k = cmd.keep == null ? 1 : cmd.keep;
    if (cmd.candidates < 1 || k < 1 || k > cmd.candidates) {
      throw new BadRequestException(
          "--candidates/--keep: expected 1 ≤ K ≤ N, found N " + cmd.candidates + ", K " + k);
    }
    return new BestOfN(cmd, k);
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
        cmd.scorers == null ? List.of(Scorers.DEFAULT) : QualityCommand.split(cmd.scorers);
    Selection.Report report;
    Scorers.Sources sources =
        new Scorers.Sources(
            Home.of(cmd.spec), cmd.clip, cmd.aestheticModel, SessionSettings.of(settings.device()));
    try (Scorers s = Scorers.open(names, sources)) {
      s.notes().forEach(n -> o.println("  note: " + n));
      report = Selection.select(candidates, s.list(), keep, cmd.minScore);
    }
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    root.put("ranked_by", report.rankedBy());
    root.put("scale", report.scale());
    root.put("candidates", candidates.size());
    root.put("keep", keep);
    if (cmd.minScore != null) {
      root.put("min_score", cmd.minScore);
    }
    root.put("passed", report.passed());
    root.put("yield", report.yield());
    ArrayNode list = root.putArray("images");
    List<Path> written = new ArrayList<>();
    for (Selection.Ranked r : report.candidates()) {
      ObjectNode n = QualityCommand.rankedJson(r, m);
      if (r.kept()) {
        Path file = write.apply(result.images().get(r.index()));
        written.add(file);
        n.put("file", file.toString());
      }
      list.add(n);
    }
    Path reportFile = reportPath(output, candidates.get(0).seed());
    Path sheetFile =
        reportFile.resolveSibling(reportFile.getFileName().toString().replace(".json", ".png"));
    try {
      Files.createDirectories(reportFile.toAbsolutePath().getParent());
      Files.writeString(reportFile, m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + reportFile + " failed: " + e.getMessage(), e);
    }
    QualityCommand.writeSheet(
        atelier.quality.ContactSheet.render(QualityCommand.cells(report, candidates, true), 5, 192),
        sheetFile);
    if (cmd.json) {
      root.put("report", reportFile.toString());
      root.put("sheet", sheetFile.toString());
      o.println(root.toString());
    } else {
      for (Selection.Ranked r : report.candidates()) {
        o.println(
            String.format(
                Locale.ROOT,
                "%3d  seed %-12d %7.2f  %s",
                r.rank(),
                r.seed(),
                r.score(),
                r.kept() ? "kept" : r.rejection()));
      }
      for (Path p : written) {
        o.println("wrote " + p);
      }
      o.println(
          String.format(
              Locale.ROOT,
              "yield %d of %d (%.0f%%) passed%s; kept %d; report %s, sheet %s",
              report.passed(),
              candidates.size(),
              100 * report.yield(),
              cmd.minScore == null ? "" : " --min-score " + cmd.minScore,
              written.size(),
              reportFile,
              sheetFile));
    }
    o.flush();
  }

  private static Path reportPath(Output output, long seed) {
    Path dir = output.file() != null ? output.file().toAbsolutePath().getParent() : output.dir();
    return dir.resolve(String.format(Locale.ROOT, "selection-%d.json", seed));
  }
}
