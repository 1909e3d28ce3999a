package atelier.quality;

import atelier.BadRequestException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The three grades a team gives its images, best first. */
public enum QualityLabel {
  GOOD,
  AVERAGE,
  POOR;

  /** The lower-case name used in folders, CSV files and reports. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The label named {@code name} (case-insensitive; {@code ok} and {@code bad} are aliases).
   *
   * @throws BadRequestException naming the valid labels
   */
  public static QualityLabel lookup(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    switch (n) {
      case "good":
        return GOOD;
      case "average":
      case "ok":
        return AVERAGE;
      case "poor":
      case "bad":
        return POOR;
      default:
        throw new BadRequestException(
            "quality label: expected one of "
                + Arrays.stream(values()).map(QualityLabel::id).collect(Collectors.joining(", "))
                + ", found '"
                + name
                + "'");
    }
  }
}
