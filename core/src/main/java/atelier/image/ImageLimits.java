package atelier.image;

/**
 * How much of a user's image file Atelier will read: caps that keep a hostile file (a small PNG
 * that declares 20000×20000 pixels, a text chunk that inflates to gigabytes, a multi-gigabyte file)
 * from exhausting memory. Every cap is checked before the memory is spent.
 *
 * <p>The defaults can be changed with system properties ({@code -Datelier.image.maxPixels=…},
 * {@code atelier.image.maxFileBytes}, {@code atelier.image.maxTextBytes}). Immutable.
 *
 * @param maxFileBytes the largest image file read, in bytes
 * @param maxPixels the largest width × height decoded (read from the header, before decoding)
 * @param maxTextBytes the largest PNG text chunk after inflating, in bytes (all text chunks of one
 *     file together may hold {@link #TEXT_CHUNKS_PER_FILE} times this)
 */
public record ImageLimits(long maxFileBytes, long maxPixels, int maxTextBytes) {
  /** Default file cap: 256 MiB (an uncompressed 8192×8192 RGBA PNG is 256 MiB). */
  public static final long DEFAULT_FILE_BYTES = 256L << 20;

  /** Default pixel cap: 8192 × 8192 (64 Mi pixels, 256 MiB as 8-bit RGBA in memory). */
  public static final long DEFAULT_PIXELS = 8192L * 8192L;

  /** Default text chunk cap: 1 MiB inflated (A1111's parameters are a few kilobytes). */
  public static final int DEFAULT_TEXT_BYTES = 1 << 20;

  /** The text of all chunks of one file together may be this many times {@code maxTextBytes}. */
  public static final int TEXT_CHUNKS_PER_FILE = 4;

  public ImageLimits {
    if (maxFileBytes < 1 || maxPixels < 1 || maxTextBytes < 1) {
      throw new IllegalArgumentException(
          "image limits: expected positive caps, found file "
              + maxFileBytes
              + " bytes, "
              + maxPixels
              + " pixels, text "
              + maxTextBytes
              + " bytes");
    }
  }

  /** The limits in force: the defaults, overridden by the {@code atelier.image.*} properties. */
  public static ImageLimits current() {
    return new ImageLimits(
        property("atelier.image.maxFileBytes", DEFAULT_FILE_BYTES),
        property("atelier.image.maxPixels", DEFAULT_PIXELS),
        (int)
            Math.min(
                Integer.MAX_VALUE, property("atelier.image.maxTextBytes", DEFAULT_TEXT_BYTES)));
  }

  /** The cap on all text chunks of one file together, in bytes. */
  public long maxTotalTextBytes() {
    return (long) maxTextBytes * TEXT_CHUNKS_PER_FILE;
  }

  private static long property(String name, long fallback) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new atelier.BadRequestException(
          name + ": expected a positive whole number, found '" + v + "'");
    }
  }

  /**
   * A byte count for people: {@code 1 MiB}, {@code 256 MiB}, {@code 3.0 GiB}, {@code 512 bytes}.
   */
  static String bytes(long n) {
    if (n >= 1L << 30) {
      return String.format(java.util.Locale.ROOT, "%.1f GiB", n / (double) (1L << 30));
    }
    if (n >= 1L << 20) {
      return n % (1L << 20) == 0
          ? (n >> 20) + " MiB"
          : String.format(java.util.Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
    }
    if (n >= 1L << 10) {
      return n % (1L << 10) == 0
          ? (n >> 10) + " KiB"
          : String.format(java.util.Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
    return n + " bytes";
  }
}
