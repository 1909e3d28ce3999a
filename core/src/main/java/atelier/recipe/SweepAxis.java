package atelier.recipe;

import atelier.BadRequestException;
import atelier.diffusion.SchedulerKind;
import atelier.pipeline.GenerationRequest;
import atelier.text.library.PromptLibrary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One axis of a parameter sweep: a setting and the values it takes, written {@code
 * guidance=3,7.5,12}, {@code seed=1..4} (integer ranges, inclusive), {@code style=anime,cyberpunk}
 * or A1111's "Prompt S/R" {@code prompt=cat,dog,fox} (the first value is searched in the prompt and
 * each value replaces it).
 *
 * @param kind the setting
 * @param values its values, as written (at least one)
 */
public record SweepAxis(Kind kind, List<String> values) {
  /** The settings a sweep can vary. */
  public enum Kind {
    SEED,
    GUIDANCE,
    STEPS,
    STRENGTH,
    STYLE,
    SCHEDULER,
    PROMPT;

    /** The axis name as written. */
    public String axisName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Finds a kind by name ({@code cfg}, {@code sampler}, {@code sr} accepted). */
    public static Kind lookup(String name) {
      String n = name.strip().toLowerCase(Locale.ROOT);
      switch (n) {
        case "cfg" -> {
          return GUIDANCE;
        }
        case "sampler" -> {
          return SCHEDULER;
        }
        case "sr", "prompt-sr" -> {
          return PROMPT;
        }
        default -> {}
      }
      for (Kind k : values()) {
        if (k.axisName().equals(n)) {
          return k;
        }
      }
      throw new BadRequestException(
          "sweep axis: expected one of "
              + Arrays.stream(values()).map(Kind::axisName).collect(Collectors.joining(", "))
              + ", found '"
              + name
              + "'");
    }
  }

  public SweepAxis {
    values = List.copyOf(values);
    if (values.isEmpty()) {
      throw new BadRequestException(
          "sweep axis " + kind.axisName() + ": expected at least one value, found none");
    }
  }

  /** Parses {@code kind=v1,v2,…} ({@code a..b} expands to integers for seed and steps). */
  public static SweepAxis parse(String text) {
    int eq = text.indexOf('=');
    if (eq < 0) {
      throw new BadRequestException(
          "sweep axis: expected KIND=VALUE,VALUE,… (e.g. guidance=3,7.5,12), found '" + text + "'");
    }
    Kind kind = Kind.lookup(text.substring(0, eq));
    List<String> values = new ArrayList<>();
    for (String v : text.substring(eq + 1).split(",")) {
      String s = v.strip();
      if (s.isEmpty()) {
        continue;
      }
      if ((kind == Kind.SEED || kind == Kind.STEPS) && s.matches("\\d+\\.\\.\\d+")) {
        long a = Long.parseLong(s.substring(0, s.indexOf("..")));
        long b = Long.parseLong(s.substring(s.indexOf("..") + 2));
        if (b < a || b - a >= 256) {
          throw new BadRequestException(
              "sweep axis "
                  + kind.axisName()
                  + ": expected a range a..b with a ≤ b and at most"
                  + " 256 values, found "
                  + s);
        }
        for (long i = a; i <= b; i++) {
          values.add(Long.toString(i));
        }
      } else {
        values.add(s);
      }
    }
    return new SweepAxis(kind, values);
  }

  /** A label for a grid: {@code guidance 7.5}, {@code seed 42}, or the style / replacement. */
  public String label(String value) {
    return switch (kind) {
      case STYLE, PROMPT -> value;
      default -> kind.axisName() + " " + value;
    };
  }

  /**
   * The request with this axis set to {@code value}.
   *
   * @throws BadRequestException when the value does not fit the setting (the request's own checks
   *     apply, e.g. strength needs an init image)
   */
  public GenerationRequest apply(GenerationRequest base, String value, PromptLibrary library) {
    GenerationRequest.Builder b = base.toBuilder();
    try {
      switch (kind) {
        case SEED -> b.seed(Long.parseLong(value));
        case GUIDANCE -> b.guidance(Double.parseDouble(value));
        case STEPS -> b.steps(Integer.parseInt(value));
        case STRENGTH -> b.strength(Double.parseDouble(value));
        case SCHEDULER -> b.scheduler(SchedulerKind.lookup(value));
        case STYLE -> {
          String words =
              library
                  .findCategory("style")
                  .flatMap(c -> c.find(value))
                  .map(e -> e.render())
                  .orElse(value);
          b = withPrompt(base, base.prompt().isBlank() ? words : base.prompt() + ", " + words);
        }
        case PROMPT -> {
          String search = values.get(0);
          if (!base.prompt().contains(search)) {
            throw new BadRequestException(
                "sweep axis prompt: expected the prompt to contain '"
                    + search
                    + "' (the first value is what the others replace), found \""
                    + base.prompt()
                    + "\"");
          }
          b = withPrompt(base, base.prompt().replace(search, value));
        }
        default -> throw new IllegalStateException(kind.toString());
      }
    } catch (NumberFormatException e) {
      throw new BadRequestException(
          "sweep axis " + kind.axisName() + ": expected a number, found '" + value + "'", e);
    }
    return b.build();
  }

  private static GenerationRequest.Builder withPrompt(GenerationRequest base, String prompt) {
    return base.toBuilder().prompt(prompt);
  }
}
