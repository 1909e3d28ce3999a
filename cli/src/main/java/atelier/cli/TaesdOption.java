package atelier.cli;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.model.SessionSettings;
import atelier.pipeline.TaesdDecoder;
import java.nio.file.Path;

/**
 * {@code generate --vae taesd[:FOLDER]}: decode with TAESD from FOLDER (holding {@code
 * vae_decoder/model.onnx}), by default the data folder's {@code models/taesd}.
 */
final class TaesdOption {
  private TaesdOption() {}

  /**
   * The TAESD folder the option names.
   *
   * @throws BadRequestException when the value is not {@code taesd} or {@code taesd:FOLDER}
   */
  static Path folder(String value, AtelierHome home) {
    if (value.equals("taesd")) {
      return home.models().resolve("taesd");
    }
    if (value.startsWith("taesd:") && value.length() > "taesd:".length()) {
      return Path.of(value.substring("taesd:".length()));
    }
    throw new BadRequestException(
        "--vae: expected taesd or taesd:FOLDER (a TAESD export with vae_decoder/model.onnx),"
            + " found '"
            + value
            + "'");
  }

  /**
   * Opens the decoder before any model work, so a missing TAESD fails first.
   *
   * @throws atelier.ModelLoadException naming where it looked
   */
  static TaesdDecoder open(String value, AtelierHome home, SessionSettings settings) {
    return TaesdDecoder.open(folder(value, home), settings);
  }
}
