package atelier.jobs;

import atelier.quality.ContactSheet;
import atelier.quality.Score;
import atelier.quality.ScorerResult;
import atelier.quality.Selection;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The files of a selection: the JSON report (every candidate's rank, seed, scores, perceptual hash
 * and why it was rejected — the format of {@code selection-SEED.json} and of {@code quality score
 * --json}) and the contact sheet. Stateless.
 */
public final class SelectionFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SelectionFiles() {}

  /** One ranked candidate as JSON. */
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
   * The best-of-N report: ranking scorer, scale, counts, yield and every candidate, with the file
   * of each kept one.
   *
   * @param files the kept candidates' files, by candidate index (null for the rejected)
   */
  public static ObjectNode report(Selection.Report report, int candidates, Path[] files) {
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
      if (files[r.index()] != null) {
        n.put("file", files[r.index()].toString());
      }
      list.add(n);
    }
    return root;
  }

  /** The contact sheet's cells, best first; {@code marks} shows kept/rejected. */
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

  /** A picture as PNG bytes (no text chunks). */
  public static byte[] png(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding a PNG failed: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** Pretty JSON text. */
  static String pretty(ObjectNode root) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException("serialising the selection report failed", e);
    }
  }
}
