package atelier.recipe;

import atelier.BadRequestException;
import atelier.diffusion.SchedulerKind;
import atelier.image.Resize;
import atelier.image.basemap.OpKind;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A recipe: a named, versioned bundle of prompt template, library picks, negative prompt, basemap
 * chain, generation settings, upscale and selection for one application (a phone wallpaper, an art
 * name, a landmark restyle, a collectible series). Read from YAML or JSON by {@link RecipeReader}
 * (format {@code atelier-recipe/1}, schema {@code atelier/recipe/recipe.schema.json}); planned into
 * generation jobs by {@link RecipePlanner}. Immutable.
 *
 * @param name the recipe's id (lower case, digits, hyphens)
 * @param version the recipe's own version (recorded with every output)
 * @param title one line for people
 * @param description what it makes and how
 * @param input what the recipe needs from the caller
 * @param params settable values ({@code --set NAME=VALUE}), filling template slots and {@code
 *     {NAME}} placeholders in basemap steps
 * @param prompt the prompt: a library template or a pattern, negative prompt, library picks
 * @param basemap the basemap steps (empty for text-to-image without an input image)
 * @param generate generation settings (unset ones take the model's defaults)
 * @param upscale the final size, or null to keep the generated size
 * @param select which of a batch to keep
 * @param series one job per item (collectible series), or null for one job
 * @param control a ControlNet to keep the basemap's structure when one is installed, or null
 * @param extend how an optional input picture of another aspect than the generation size reaches it
 *     (outpainting or cropping), or null when the recipe takes no such picture
 * @param source where the recipe was read from, for messages
 */
public record Recipe(
    String name,
    String version,
    String title,
    String description,
    Input input,
    Map<String, Param> params,
    PromptSpec prompt,
    List<Step> basemap,
    Generate generate,
    Upscale upscale,
    Select select,
    Series series,
    Control control,
    Extend extend,
    String source) {
  /** The file format this code reads and writes. */
  public static final String FORMAT = "atelier-recipe/1";

  public Recipe {
    if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
      throw new BadRequestException(
          "recipe.name: expected lower-case letters, digits and hyphens, found '" + name + "'");
    }
    java.util.Objects.requireNonNull(version, "version");
    title = title == null ? name : title;
    description = description == null ? "" : description;
    input = input == null ? Input.NONE : input;
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    java.util.Objects.requireNonNull(prompt, "prompt");
    basemap = List.copyOf(basemap);
    generate = generate == null ? Generate.DEFAULT : generate;
    select = select == null ? Select.KEEP_ALL : select;
  }

  /**
   * A ControlNet the recipe uses when one is installed: the basemap (preprocessed) becomes its
   * control image and the generation is text-to-image; without one the recipe falls back to
   * image-to-image at its strength, and each output's record says which path was taken.
   *
   * @param net a word the installed ControlNet's id contains (e.g. {@code canny}, {@code qr})
   * @param preprocess a control preprocessor for the basemap, or null
   * @param scale the ControlNet's scale
   * @param end the fraction of the steps it acts during (from the start)
   */
  public record Control(String net, String preprocess, double scale, double end) {}

  /**
   * How a recipe with an optional input picture (the wallpapers: {@code --input PHOTO}) brings a
   * picture of another aspect than its generation size to that size. With {@link Method#OUTPAINT}
   * the picture is kept whole: scaled to fit inside the generation size (its sides rounded to
   * multiples of 8), centred, the canvas extended around it and the new area painted as A1111's
   * outpainting does ({@link atelier.pipeline.Outpaint}: fill, mask blur, the original pasted back
   * outside the mask); with {@link Method#CROP} it is cropped to the aspect and repainted by
   * image-to-image. A picture that already has the aspect is repainted by image-to-image either
   * way.
   *
   * @param method how the aspect is met
   * @param strength how much is repainted: the new area (outpaint) or the whole picture (crop)
   * @param blur the mask blur in pixels (outpaint), 0 to 64
   * @param fill what the new area starts from (outpaint): {@code fill}, {@code original}, {@code
   *     noise} or {@code nothing}
   */
  public record Extend(Method method, double strength, int blur, String fill) {
    /** The default: outpaint at strength 0.8, blur 4, fill {@code fill}. */
    public static final Extend DEFAULT = new Extend(Method.OUTPAINT, 0.8, 4, "fill");

    /** How the aspect is met. */
    public enum Method {
      /** Keep the whole picture and paint the canvas around it. */
      OUTPAINT,
      /** Crop the picture to the aspect and repaint it by image-to-image. */
      CROP;

      /** Finds a method by name; unknown names get the valid ones. */
      public static Method lookup(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
          case "outpaint" -> OUTPAINT;
          case "crop" -> CROP;
          default ->
              throw new BadRequestException(
                  "method: expected one of outpaint, crop, found '" + name + "'");
        };
      }
    }
  }

  /**
   * Whether the recipe takes an input picture only optionally (it has an {@code extend} section).
   */
  public boolean optionalPicture() {
    return extend != null && input == Input.NONE;
  }

  /** What a recipe takes from the caller besides {@code --set} values. */
  public enum Input {
    /** Nothing: text-to-image, or a basemap the chain draws itself. */
    NONE,
    /** A picture ({@code --input PHOTO}), the start of the basemap chain. */
    IMAGE,
    /** A short text ({@code --text NAME}), as the parameter {@code text}. */
    TEXT,
    /** A logo file ({@code --input LOGO.png}), as the parameter {@code input} for a logo step. */
    LOGO;

    /** Finds an input kind by name; unknown names get the list of valid ones. */
    public static Input lookup(String name) {
      for (Input i : values()) {
        if (i.name().equalsIgnoreCase(name.strip())) {
          return i;
        }
      }
      throw new BadRequestException(
          "input: expected one of "
              + Arrays.stream(values())
                  .map(i -> i.name().toLowerCase(Locale.ROOT))
                  .collect(Collectors.joining(", "))
              + ", found '"
              + name
              + "'");
    }
  }

  /**
   * A settable value.
   *
   * @param defaultValue used when the caller sets none; null makes the value required
   * @param pick a library category: the value names an entry of it (rendered with its weight), or
   *     is taken as words of one's own
   */
  public record Param(String name, String defaultValue, String description, String pick) {}

  /**
   * The prompt of a recipe: exactly one of {@code template} (a library template's name) and {@code
   * text} (a pattern).
   *
   * @param negative the negative prompt pattern, or null for the template's
   * @param picks fixed library entries by category
   */
  public record PromptSpec(
      String template, String text, String negative, Map<String, String> picks) {
    public PromptSpec {
      if ((template == null) == (text == null)) {
        throw new BadRequestException(
            "recipe.prompt: expected exactly one of template (a library template) and text (a"
                + " pattern), found "
                + (template == null ? "neither" : "both"));
      }
      picks =
          picks == null
              ? Map.of()
              : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(picks));
    }
  }

  /**
   * One basemap step: an op and its arguments, whose values may hold {@code {param}} placeholders
   * filled when the recipe is planned.
   */
  public record Step(OpKind kind, Map<String, String> args) {
    public Step {
      args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args));
    }
  }

  /**
   * Generation settings; null fields take the model's defaults.
   *
   * @param base the short side of a model-friendly size with the aspect of the upscale target (or
   *     of the input image), the long side rounded to a multiple of 64; ignored when width and
   *     height are given
   */
  public record Generate(
      Integer width,
      Integer height,
      Integer base,
      Integer steps,
      Double guidance,
      SchedulerKind scheduler,
      Double eta,
      Double strength,
      Long seed,
      int batch,
      Resize.Fit fit) {
    /** Every field unset, batch 1. */
    public static final Generate DEFAULT =
        new Generate(null, null, null, null, null, null, null, null, null, 1, null);
  }

  /**
   * The final size: the kept images are upscaled (by the lead's {@link Upscaler}) and fitted to
   * exactly {@code width × height}.
   *
   * @param method {@code auto} (the best upscaler available) or {@code lanczos}
   */
  public record Upscale(int width, int height, String method, Resize.Fit fit) {
    public Upscale {
      if (width < 8 || height < 8 || width > 16384 || height > 16384) {
        throw new BadRequestException(
            "recipe.upscale: expected 8 to 16384 pixels a side, found " + width + "×" + height);
      }
      fit = fit == null ? Resize.Fit.COVER : fit;
      method = method == null ? "auto" : method;
    }
  }

  /**
   * Which images of a batch to keep.
   *
   * @param keep all, or the best {@code count} by the scorer {@code by}
   */
  public record Select(Keep keep, int count, String by) {
    /** Keep every image. */
    public static final Select KEEP_ALL = new Select(Keep.ALL, 1, null);

    /** Keep modes. */
    public enum Keep {
      ALL,
      BEST;

      /** Finds a mode by name; unknown names get the valid ones. */
      public static Keep lookup(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
          case "all" -> ALL;
          case "best" -> BEST;
          default ->
              throw new BadRequestException(
                  "keep: expected one of all, best, found '" + name + "'");
        };
      }
    }
  }

  /**
   * A series: one job per item, the item filling the parameter {@code param}; outputs numbered.
   *
   * @param seed {@code same} (one seed for all: a consistent look) or {@code increment}
   */
  public record Series(String param, List<String> items, SeedMode seed) {
    public Series {
      items = List.copyOf(items);
      if (items.isEmpty()) {
        throw new BadRequestException(
            "recipe.series.items: expected at least one item, found none");
      }
      seed = seed == null ? SeedMode.SAME : seed;
    }

    /** How the seed moves along a series. */
    public enum SeedMode {
      SAME,
      INCREMENT;

      /** Finds a mode by name; unknown names get the valid ones. */
      public static SeedMode lookup(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
          case "same" -> SAME;
          case "increment" -> INCREMENT;
          default ->
              throw new BadRequestException(
                  "seed: expected one of same, increment, found '" + name + "'");
        };
      }
    }
  }
}
