package atelier.model;

import atelier.BadRequestException;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a catalog entry or stored model is for. Each kind has its own folder shape: a pipeline is a
 * Stable Diffusion export (FORMATS.md "Folder layouts"); the others are single ONNX graphs with
 * whatever side files their feature needs.
 */
public enum ModelKind {
  /** A Stable Diffusion folder: text encoder, UNet, VAE, tokenizer, scheduler config. */
  PIPELINE("pipeline"),
  /** A super-resolution model (ESRGAN family). */
  UPSCALER("upscaler"),
  /** A CLIP image/text model used for prompt-alignment scoring. */
  CLIP("clip"),
  /** An aesthetic predictor on CLIP image embeddings. */
  AESTHETIC("aesthetic"),
  /**
   * A separate ControlNet export: {@code model.onnx} with the residual outputs
   * (docs/controlnet.md).
   */
  CONTROLNET("controlnet"),
  /**
   * A TAESD export: {@code vae_decoder/model.onnx} (and {@code vae_encoder/model.onnx}); the one
   * with id {@code taesd} is what {@code --vae taesd} uses (docs/taesd.md).
   */
  TAESD("taesd");

  private final String id;

  ModelKind(String id) {
    this.id = id;
  }

  /** The name used in the catalog, manifests and on the command line. */
  @JsonValue
  public String id() {
    return id;
  }

  /**
   * Finds a kind by name, ignoring case.
   *
   * @throws BadRequestException naming the valid kinds when {@code name} is unknown
   */
  @JsonCreator
  public static ModelKind lookup(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (ModelKind k : values()) {
      if (k.id.equals(n)) {
        return k;
      }
    }
    throw new BadRequestException(
        "model kind: expected one of "
            + Arrays.stream(values()).map(ModelKind::id).collect(Collectors.joining(", "))
            + ", found '"
            + name
            + "'");
  }
}
