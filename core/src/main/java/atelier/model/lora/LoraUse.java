package atelier.model.lora;

import atelier.BadRequestException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One LoRA applied to a model: its name (as A1111 writes it in {@code <lora:name:w>}), file and
 * weight (the multiplier; 1 is the trained strength, 0 leaves the model as it is).
 */
public record LoraUse(String name, Path file, double weight) {
  /** Weights beyond this are almost certainly a typo (A1111's UI slider stops at ±2). */
  public static final double MAX_WEIGHT = 10;

  public LoraUse {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(file, "file");
    if (!Double.isFinite(weight) || Math.abs(weight) > MAX_WEIGHT) {
      throw new BadRequestException(
          "lora "
              + name
              + ": expected a weight from -"
              + (int) MAX_WEIGHT
              + " to "
              + (int) MAX_WEIGHT
              + ", found "
              + weight);
    }
  }
}
