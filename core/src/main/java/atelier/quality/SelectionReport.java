package atelier.quality;

import atelier.OutputTarget;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * What a best-of-N selection leaves for people to check, the same for {@code generate --candidates}
 * and recipes: a JSON report of every candidate (rank, seed, scores with reasons, why it was
 * dropped, the file of each kept one), a contact sheet with the kept ones marked, and one text line
 * per candidate. Stateless.
 */
public final class SelectionReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SelectionReport() {}

  /**
   * The report as JSON: {@code ranked_by, scale, candidates, keep, min_score, passed, yield} and
   * {@code images} (every candidate, best first).
   *
   * @param files the written file of each kept candidate, by candidate index
   */
  public static ObjectNode json(Selection.Report report, int candidates, Map<Integer, Path> files) {
    ObjectNode root = JSON.createObjectNode();
    root.put("ranked_by", report.rankedBy());
    root.put("scale", report.scale());
    root.put("candidates", candidates);
    root.put("keep", report.keep());
    if (report.minScore() != null) {
      root.put("min_score", report.minScore());
    }
    root.put("passed", report.passed());
    root.put("yield", report.yield());
    ArrayNode list = root.putArray("images");
    for (Selection.Ranked r : report.candidates()) {
      ObjectNode n = rankedJson(r);
      Path file = files.get(r.index());
      if (file != null) {
        n.put("file", file.toString());
      }
      list.add(n);
    }
    return root;
  }

  /** One candidate as JSON: rank, id, seed, score, kept, why rejected, hash, every scorer. */
  public static ObjectNode rankedJson(Selection.Ranked r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("rank", r.rank());
    n.put("id", r.id());
    if (r.seed() != null) {
      n.put("seed", r.seed());
    }
    n.put("score", r.score());
    n.put("kept", r.kept());
    if (r.rejection() != null) {
      n.put("rejected", r.rejection());
    }
    n.put("phash", String.format(Locale.ROOT, "%016x", r.hash()));
    ObjectNode scorers = n.putObject("scorers");
    for (ScorerResult res : r.results()) {
      ObjectNode s = scorers.putObject(res.scorer());
      s.put("overall", res.overall());
      ObjectNode d = s.putObject("scores");
      for (Score sc : res.scores()) {
        ObjectNode x = d.putObject(sc.name());
        x.put("value", sc.value());
        x.put("reason", sc.reason());
      }
      ArrayNode f = s.putArray("failures");
      res.failures().forEach(f::add);
    }
    return n;
  }

  /**
   * Contact-sheet cells, best first: each scorer's overall score and the rejection (with {@code
   * marks}) or the ranking scorer's first reason.
   */
  public static List<ContactSheet.Cell> cells(
      Selection.Report report, List<Selection.Candidate> candidates, boolean marks) {
    List<ContactSheet.Cell> cells = new ArrayList<>();
    for (Selection.Ranked r : report.candidates()) {
      List<String> lines = new ArrayList<>();
      for (ScorerResult res : r.results()) {
        lines.add(String.format(Locale.ROOT, "%s %.1f", res.scorer(), res.overall()));
      }
      if (r.rejection() != null && marks) {
        lines.add(r.rejection());
      } else if (!r.results().get(0).scores().isEmpty()) {
        lines.add(r.results().get(0).scores().get(0).reason());
      }
      String name = Path.of(r.id()).getFileName().toString();
      cells.add(
          new ContactSheet.Cell(
              candidates.get(r.index()).input().image(),
              "#" + r.rank() + " " + name,
              lines,
              marks ? r.kept() : null));
    }
    return cells;
  }

  /** The contact sheet of a selection, kept candidates marked. */
  public static BufferedImage sheet(Selection.Report report, List<Selection.Candidate> candidates) {
    return ContactSheet.render(cells(report, candidates, true), 5, 192);
  }

  /** One line per candidate, best first: rank, seed, score, and "kept" or why it was dropped. */
  public static List<String> lines(Selection.Report report) {
    List<String> out = new ArrayList<>();
    for (Selection.Ranked r : report.candidates()) {
      out.add(
          String.format(
              Locale.ROOT,
              "%3d  seed %-12d %7.2f  %s",
              r.rank(),
              r.seed(),
              r.score(),
              r.kept() ? "kept" : r.rejection()));
    }
    return out;
  }

  /**
   * The closing line: the yield, how many were kept, and where the report and sheet are ({@code
   * yield 3 of 4 (75%) passed --min-score 50; kept 1; report …, sheet …}).
   */
  public static String summary(Selection.Report report, int kept, Path reportFile, Path sheet) {
    int n = report.candidates().size();
    return String.format(
        Locale.ROOT,
        "yield %d of %d (%.0f%%) passed%s; kept %d; report %s, sheet %s",
        report.passed(),
        n,
        100 * report.yield(),
        report.minScore() == null ? "" : " --min-score " + report.minScore(),
        kept,
        reportFile,
        sheet);
  }

  /** The report and contact-sheet files of one selection. */
  public record Files(Path report, Path sheet) {}

  /**
   * Writes the JSON report to {@code reportFile}, or, when an earlier run's report holds that name,
   * to the next free {@code NAME-2.json}, …, and the contact sheet beside it: nothing is replaced.
   */
  public static Files writeUnique(
      ObjectNode json,
      Selection.Report report,
      List<Selection.Candidate> candidates,
      Path reportFile) {
    byte[] text = pretty(json).getBytes(StandardCharsets.UTF_8);
    Path written = OutputTarget.writeUnique(reportFile, out -> out.write(text));
    byte[] sheet = png(sheet(report, candidates));
    Path sheetFile = OutputTarget.writeUnique(sheetPath(written), out -> out.write(sheet));
    return new Files(written, sheetFile);
  }

  /** The report as pretty-printed JSON text. */
  public static String pretty(ObjectNode json) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json);
    } catch (IOException e) {
      throw new UncheckedIOException("serialising the selection report failed", e);
    }
  }

  /** A picture (a contact sheet) as PNG bytes, no text chunks. */
  public static byte[] png(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding a PNG failed: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** The contact sheet's path for a report file ({@code selection-7.json → selection-7.png}). */
  public static Path sheetPath(Path reportFile) {
    String name = reportFile.getFileName().toString();
    String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    return reportFile.resolveSibling(base + ".png");
  }
}
