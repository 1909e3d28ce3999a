package atelier.cli;

import atelier.BadRequestException;
import java.nio.file.Path;

/** Which model a command uses when {@code --model} is not given. */
final class Models {
  private Models() {}

  /** {@code $ATELIER_MODEL}, else a clear error saying how to name one. */
  static Path defaultModel() {
    String env = System.getenv("ATELIER_MODEL");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    throw new BadRequestException(
        "model: expected --model DIR (a Stable Diffusion ONNX export) or the ATELIER_MODEL"
            + " environment variable, found neither");
  }
}
