package atelier.diffusion;

import atelier.BadRequestException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Reads a {@link SchedulerConfig} for one kind during {@link Settings#resolve}: keys the kind's
 * diffusers class accepts come from the config, all others read as the class default; unsupported
 * values fail with the key, what was expected and what was found.
 */
final class ConfigReader {
  private final SchedulerKind kind;
  private final SchedulerConfig config;

  ConfigReader(SchedulerKind kind, SchedulerConfig config) {
    this.kind = kind;
    this.config = config;
  }

  boolean has(String key) {
    return Settings.accepts(kind, key) && config.has(key);
  }

  int integer(String key, int fallback) {
    return has(key) ? config.integer(key).orElse(fallback) : fallback;
  }

  double number(String key, double fallback) {
    return has(key) ? config.number(key).orElse(fallback) : fallback;
  }

  boolean bool(String key, boolean fallback) {
    return has(key) ? config.bool(key).orElse(fallback) : fallback;
  }

  void reject(String key, boolean supported, String why) {
    if (has(key) && config.bool(key).orElse(false) != supported) {
      throw new BadRequestException(
          "scheduler "
              + kind
              + ": config "
              + config.source()
              + " sets "
              + key
              + "="
              + !supported
              + ", but "
              + why
              + " (expected "
              + supported
              + ")");
    }
  }

  String expect(String key, String fallback, List<String> allowed) {
    String value = has(key) ? config.string(key).orElse(fallback) : fallback;
    if (!allowed.contains(value)) {
      throw unsupported(key, "one of " + allowed, "\"" + value + "\"");
    }
    return value;
  }

  <E extends Enum<E>> E choice(String key, E fallback, E[] options, Function<E, String> name) {
    String value =
        has(key) ? config.string(key).orElse(name.apply(fallback)) : name.apply(fallback);
    for (E option : options) {
      if (name.apply(option).equals(value)) {
        return option;
      }
    }
    throw unsupported(
        key, "one of " + Arrays.stream(options).map(name).toList(), "\"" + value + "\"");
  }

  BadRequestException unsupported(String key, String expected, String found) {
    return new BadRequestException(
        "scheduler "
            + kind
            + ": config "
            + config.source()
            + " key \""
            + key
            + "\": expected "
            + expected
            + ", found "
            + found);
  }
}
