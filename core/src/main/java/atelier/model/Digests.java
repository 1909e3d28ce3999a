package atelier.model;

import atelier.CancelToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/** File digests for downloads and verification: SHA-256, and Git's blob SHA-1. */
final class Digests {
  private static final int BUFFER = 1 << 20;

  private Digests() {}

  static MessageDigest sha256() {
    return digest("SHA-256");
  }

  static String hex(MessageDigest d) {
    return HexFormat.of().formatHex(d.digest());
  }

  /**
   * Hex SHA-256 of a file's bytes.
   *
   * @param progress receives the bytes hashed so far (about every megabyte), or null
   */
  static String sha256(Path file, LongConsumer progress, CancelToken cancel) throws IOException {
    MessageDigest d = sha256();
    update(d, file, Long.MAX_VALUE, progress, cancel);
    return hex(d);
  }

  /** Feeds the first {@code limit} bytes of a file to a digest. */
  static void update(
      MessageDigest d, Path file, long limit, LongConsumer progress, CancelToken cancel)
      throws IOException {
    byte[] buf = new byte[BUFFER];
    long done = 0;
    try (InputStream in = Files.newInputStream(file)) {
      while (done < limit) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, limit - done));
        if (n < 0) {
          break;
        }
        d.update(buf, 0, n);
        done += n;
        if (progress != null) {
          progress.accept(done);
        }
        if (cancel != null) {
          cancel.check();
        }
      }
    }
  }

  /**
   * The Git blob id of a file: SHA-1 of {@code "blob <size>\0"} and the bytes. Hugging Face sends
   * it as the ETag of files kept in Git itself (not LFS).
   */
  static String gitBlobSha1(Path file) throws IOException {
    MessageDigest d = digest("SHA-1");
    d.update(("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
    update(d, file, Long.MAX_VALUE, null, null);
    return hex(d);
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks " + algorithm, e);
    }
  }
}
