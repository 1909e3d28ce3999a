package atelier.image.basemap;

import atelier.BadRequestException;
import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Which installed font draws a text: a named family (checked to exist and to cover the text), or
 * the first of a preference list that covers every character, CJK families first when the text has
 * CJK characters. Java2D finds fonts through fontconfig; Debian's {@code fonts-noto-cjk} and {@code
 * fonts-dejavu-core} are what CI installs. Stateless and thread-safe.
 */
public final class Fonts {
  /** Families tried for text with CJK characters, in order. */
  public static final List<String> CJK =
      List.of(
          "Noto Sans CJK SC",
          "Noto Sans CJK JP",
          "Noto Sans CJK TC",
          "Noto Sans CJK KR",
          "Noto Serif CJK SC",
          "Source Han Sans SC",
          "WenQuanYi Zen Hei",
          "WenQuanYi Micro Hei",
          "Droid Sans Fallback");

  /** Families tried for other text, in order. */
  public static final List<String> LATIN =
      List.of(
          "DejaVu Sans",
          "Noto Sans",
          "Liberation Sans",
          "Cantarell",
          "FreeSans",
          "Arial",
          "Helvetica");

  private Fonts() {}

  /** Installed font family names, sorted. */
  public static TreeSet<String> installed() {
    TreeSet<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    s.addAll(
        List.of(
            GraphicsEnvironment.getLocalGraphicsEnvironment()
                .getAvailableFontFamilyNames(Locale.ROOT)));
    return s;
  }

  /** The first installed CJK family of {@link #CJK} that draws {@code sample}, if any. */
  public static Optional<String> cjkFamily(String sample) {
    TreeSet<String> have = installed();
    return CJK.stream().filter(f -> have.contains(f) && covers(f, sample)).findFirst();
  }

  /** Whether the text has characters from CJK scripts (Han, Hiragana, Katakana, Hangul). */
  public static boolean hasCjk(String text) {
    return text.codePoints()
        .anyMatch(
            cp -> {
              Character.UnicodeScript s = Character.UnicodeScript.of(cp);
              return s == Character.UnicodeScript.HAN
                  || s == Character.UnicodeScript.HIRAGANA
                  || s == Character.UnicodeScript.KATAKANA
                  || s == Character.UnicodeScript.HANGUL;
            });
  }

  /**
   * The family to draw {@code text} with.
   *
   * @param requested a family name, or {@code auto}/null to choose
   * @throws BadRequestException when the family is not installed or no font covers the text
   */
  public static String resolve(String requested, String text) {
    TreeSet<String> have = installed();
    String visible = text.replaceAll("\\s", "");
    if (requested != null && !requested.isBlank() && !requested.equalsIgnoreCase("auto")) {
      String family = have.ceiling(requested.strip());
      if (family == null || !family.equalsIgnoreCase(requested.strip())) {
        throw new BadRequestException(
            "basemap text: font: expected an installed family (e.g. "
                + String.join(", ", have.stream().limit(6).toList())
                + "; `fc-list : family` lists them), found '"
                + requested
                + "'");
      }
      int bad = new Font(family, Font.PLAIN, 12).canDisplayUpTo(visible);
      if (bad >= 0) {
        throw missing(visible, bad, "font " + family);
      }
      return family;
    }
    List<String> order = new ArrayList<>(hasCjk(visible) ? CJK : LATIN);
    order.addAll(hasCjk(visible) ? LATIN : CJK);
    for (String f : order) {
      if (have.contains(f) && covers(f, visible)) {
        return have.ceiling(f);
      }
    }
    for (String f : have) {
      if (covers(f, visible)) {
        return f;
      }
    }
    int bad = new Font(Font.DIALOG, Font.PLAIN, 12).canDisplayUpTo(visible);
    throw missing(visible, Math.max(0, bad), "any installed font");
  }

  private static boolean covers(String family, String text) {
    return new Font(family, Font.PLAIN, 12).canDisplayUpTo(text) < 0;
  }

  private static BadRequestException missing(String text, int index, String what) {
    int cp = text.codePointAt(index);
    return new BadRequestException(
        "basemap text: expected "
            + what
            + " to draw every character, found none for '"
            + new String(Character.toChars(cp))
            + "' (U+"
            + String.format(Locale.ROOT, "%04X", cp)
            + "); install a font that covers it (Debian: fonts-noto-cjk for Chinese, Japanese and"
            + " Korean) or name one with font=FAMILY");
  }
}
