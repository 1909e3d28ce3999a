package atelier.jobs;

import atelier.BadRequestException;
import atelier.pipeline.GenerationRequest;
import atelier.recipe.Sweep;
import atelier.recipe.SweepAxis;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep: one labelled grid over settings ({@code x} across, {@code y} down, {@code z} as separate
 * sheets, each {@code KIND=VALUES} as {@code atelier sweep} takes them) over a plain prompt, or
 * over a recipe's first job. Checked at construction with the messages of {@code atelier sweep}.
 *
 * @param ops basemap operations for a plain prompt (null: none)
 * @param sets recipe parameters and settings, as {@link RecipeSpec#sets()}
 */
public record SweepSpec(
    String prompt,
    String x,
    String y,
    String z,
    String recipe,
    Map<String, String> sets,
    String input,
    String text,
    String negativePrompt,
    Integer steps,
    Double guidance,
    String scheduler,
    Long seed,
    Integer width,
    Integer height,
    String init,
    List<String> ops,
    Double strength,
    String fit,
    String model)
    implements JobSpec {

  /** The kind name in queues and JSON. */
  public static final String KIND = "sweep";

  public SweepSpec {
    if (x == null) {
      throw new BadRequestException("--x: expected KIND=VALUES, found none");
    }
    sets =
        sets == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sets));
    ops = ops == null ? List.of() : List.copyOf(ops);
    sweep(x, y, z);
    if (recipe != null) {
      if (prompt != null
          || negativePrompt != null
          || steps != null
          || guidance != null
          || scheduler != null
          || width != null
          || height != null
          || init != null
          || !ops.isEmpty()
          || strength != null
          || fit != null) {
        throw new BadRequestException(
            "sweep --recipe: expected settings as --set generate.KEY=VALUE (and the prompt from the"
                + " recipe), found generation options");
      }
      RecipeSpec.checkSeed(seed);
    } else {
      if (prompt == null) {
        throw new BadRequestException("prompt: expected a PROMPT or --recipe NAME, found neither");
      }
      if (!sets.isEmpty() || input != null || text != null) {
        throw new BadRequestException(
            "sweep: --set, --input and --text apply to --recipe; for a plain prompt use --init and"
                + " --op");
      }
      request(prompt, negativePrompt, steps, guidance, scheduler, seed, width, height, fit);
    }
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** The axes. */
  public Sweep sweep() {
    return sweep(x, y, z);
  }

  /** The base request of a plain-prompt sweep (without its basemap). */
  GenerationRequest request() {
    return request(prompt, negativePrompt, steps, guidance, scheduler, seed, width, height, fit);
  }

  /** This spec with another seed. */
  public SweepSpec withSeed(Long s) {
    return new SweepSpec(
        prompt,
        x,
        y,
        z,
        recipe,
        sets,
        input,
        text,
        negativePrompt,
        steps,
        guidance,
        scheduler,
        s,
        width,
        height,
        init,
        ops,
        strength,
        fit,
        model);
  }

  /** This spec with another model reference (a front end that resolved it already). */
  public SweepSpec withModel(String m) {
    return new SweepSpec(
        prompt,
        x,
        y,
        z,
        recipe,
        sets,
        input,
        text,
        negativePrompt,
        steps,
        guidance,
        scheduler,
        seed,
        width,
        height,
        init,
        ops,
        strength,
        fit,
        m);
  }

  private static Sweep sweep(String x, String y, String z) {
    return new Sweep(
        SweepAxis.parse(x),
        y == null ? null : SweepAxis.parse(y),
        z == null ? null : SweepAxis.parse(z));
  }

  private static GenerationRequest request(
      String prompt,
      String negative,
      Integer steps,
      Double guidance,
      String scheduler,
      Long seed,
      Integer width,
      Integer height,
      String fit) {
    return GenerationRequest.builder(prompt)
        .negativePrompt(negative)
        .size(width, height)
        .steps(steps)
        .guidance(guidance)
        .scheduler(scheduler == null ? null : atelier.diffusion.SchedulerKind.lookup(scheduler))
        .seed(seed)
        .fit(fit == null ? null : atelier.image.Resize.Fit.lookup(fit))
        .build();
  }
}
