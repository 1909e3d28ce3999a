package atelier.model;

import atelier.BadRequestException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The Stable Diffusion families Atelier knows, each with the settings that suit it when a request
 * leaves them out.
 */
public enum ModelFamily {
  SD1("sd1", "Stable Diffusion 1.x", 512, 30, 7.5),
  SD2("sd2", "Stable Diffusion 2.x (epsilon)", 512, 30, 7.5),
  SD2_V("sd2-v", "Stable Diffusion 2.x (v-prediction)", 768, 30, 7.5),
  TURBO("turbo", "SD-Turbo", 512, 1, 0.0),
  LCM("lcm", "Latent Consistency Model", 512, 4, 8.0),
  SDXL("sdxl", "Stable Diffusion XL", 1024, 30, 5.0);

  private final String id;
  private final String displayName;
  private final int defaultSize;
  private final int defaultSteps;
  private final double defaultGuidance;

  ModelFamily(String id, String displayName, int size, int steps, double guidance) {
    this.id = id;
    this.displayName = displayName;
    this.defaultSize = size;
    this.defaultSteps = steps;
    this.defaultGuidance = guidance;
  }

  public String id() {
    return id;
  }

  public String displayName() {
    return displayName;
  }

  /** Image side in pixels when neither the request nor the model's config gives one. */
  public int defaultSize() {
    return defaultSize;
  }

  public int defaultSteps() {
    return defaultSteps;
  }

  public double defaultGuidance() {
    return defaultGuidance;
  }

  /** VAE latent scaling factor when the export carries no VAE config. */
  public double defaultVaeScalingFactor() {
    return this == SDXL ? 0.13025 : 0.18215;
  }

  /** Finds a family by id, ignoring case; unknown ids get an error listing the valid ones. */
  public static ModelFamily lookup(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (ModelFamily f : values()) {
      if (f.id.equals(n) || f.name().equalsIgnoreCase(n)) {
        return f;
      }
    }
    throw new BadRequestException(
        "model family: expected one of "
            + Arrays.stream(values()).map(ModelFamily::id).collect(Collectors.joining(", "))
            + ", found '"
            + name
            + "'");
  }
}
