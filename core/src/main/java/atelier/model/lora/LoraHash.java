package atelier.model.lora;

import atelier.BadRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A1111's short hash of a safetensors LoRA ("addnet hash"): the SHA-256 of the file's bytes after
 * the 8-byte length and the JSON header, first 12 hex digits, so metadata edits keep the hash.
 */
final class LoraHash {
  private LoraHash() {}

  static String of(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] len = in.readNBytes(8);
      if (len.length < 8) {
        throw new BadRequestException(
            "lora " + file + ": expected a safetensors header, found " + len.length + " bytes");
      }
      long header = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
      in.skipNBytes(header);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (DigestInputStream d = new DigestInputStream(in, sha)) {
        d.transferTo(java.io.OutputStream.nullOutputStream());
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (IOException e) {
      throw new BadRequestException(
          "lora " + file + ": cannot be read (" + e.getMessage() + ")", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
