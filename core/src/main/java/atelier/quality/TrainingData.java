package atelier.quality;

import atelier.BadRequestException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Labelled images for training: a folder with {@code good/}, {@code average/} and {@code poor/}
 * sub-folders, or a CSV file of {@code path,label} lines (a header line is allowed; relative paths
 * are resolved against the CSV's folder). A CSV whose header is {@code path,label,group} gives each
 * image a group (what it was made from: a prompt, a source picture), and cross-validation then
 * keeps each group within one fold. Stateless.
 */
public final class TrainingData {
  private TrainingData() {}

  /**
   * One image and its label.
   *
   * @param group its group, or {@code null} when it is a group of its own
   */
  public record Item(Path path, QualityLabel label, String group) {
    /** An image that is a group of its own. */
    public Item(Path path, QualityLabel label) {
      this(path, label, null);
    }
  }

  /**
   * The items of a data folder or CSV file.
   *
   * @throws BadRequestException when a class folder is missing or empty, or a CSV line is bad
   */
  public static List<Item> load(Path data) {
    if (Files.isDirectory(data)) {
      return fromFolders(data);
    }
    if (Files.isRegularFile(data)) {
      return fromCsv(data);
    }
    throw new BadRequestException(
        "--data: expected a folder with good/ average/ poor/ or a CSV of path,label, found nothing at "
            + data);
  }

  static List<Item> fromFolders(Path root) {
    List<Item> items = new ArrayList<>();
    for (QualityLabel l : QualityLabel.values()) {
      Path dir = root.resolve(l.id());
      if (!Files.isDirectory(dir)) {
        throw new BadRequestException(
            "--data " + root + ": expected a class folder " + l.id() + "/, found none");
      }
      List<Path> images = ImageFiles.list(List.of(dir)).images();
      if (images.isEmpty()) {
        throw new BadRequestException(
            "--data "
                + root
                + ": class folder "
                + l.id()
                + "/ is empty (expected PNG, JPEG, BMP or GIF images)");
      }
      for (Path p : images) {
        items.add(new Item(p, l));
      }
    }
    return items;
  }

  static List<Item> fromCsv(Path csv) {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BadRequestException("--data " + csv + ": could not read: " + e.getMessage(), e);
    }
    Path base = csv.toAbsolutePath().getParent();
    List<Item> items = new ArrayList<>();
    boolean grouped = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (items.isEmpty()
          && !grouped
          && line.replace(" ", "").equalsIgnoreCase("path,label,group")) {
        grouped = true;
        continue;
      }
      String group = null;
      if (grouped) {
        // The path may hold commas; label and group may not, so split at the last two.
        int last = line.lastIndexOf(',');
        if (last <= 0) {
          throw new BadRequestException(
              csv + " line " + (i + 1) + ": expected path,label,group, found '" + line + "'");
        }
        group = unquote(line.substring(last + 1));
        group = group.isEmpty() ? null : group;
        line = line.substring(0, last);
      }
      int comma = line.lastIndexOf(',');
      if (comma <= 0) {
        throw new BadRequestException(
            csv + " line " + (i + 1) + ": expected path,label, found '" + line + "'");
      }
      String path = unquote(line.substring(0, comma));
      String label = unquote(line.substring(comma + 1));
      if (i == 0 && path.equalsIgnoreCase("path") && label.equalsIgnoreCase("label")) {
        continue;
      }
      QualityLabel l;
      try {
        l = QualityLabel.lookup(label);
      } catch (BadRequestException e) {
        throw new BadRequestException(csv + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
      Path p = Path.of(path);
      items.add(new Item(p.isAbsolute() ? p : base.resolve(p), l, group));
    }
    for (QualityLabel l : QualityLabel.values()) {
      if (items.stream().noneMatch(it -> it.label() == l)) {
        throw new BadRequestException(
            csv + ": expected images labelled " + l.id() + ", found none");
      }
    }
    return items;
  }

  private static String unquote(String s) {
    String t = s.strip();
    return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")
        ? t.substring(1, t.length() - 1)
        : t;
  }
}
