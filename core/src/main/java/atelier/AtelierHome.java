package atelier;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where Atelier keeps its data on this machine, following platform conventions: the system property
 * {@code atelier.home} or {@code $ATELIER_HOME} when set; else {@code $XDG_DATA_HOME/atelier}
 * (default {@code ~/.local/share/atelier}) on Linux, {@code ~/Library/Application Support/Atelier}
 * on macOS and {@code %LOCALAPPDATA%\Atelier} on Windows. Holds {@code models/}, {@code outputs/},
 * {@code config.json}; the cache ({@code atelier.cache}, {@code $ATELIER_CACHE} or the platform
 * cache folder) holds what can be rebuilt. Immutable.
 *
 * @param root the data folder
 * @param cache the cache folder
 */
public record AtelierHome(Path root, Path cache) {

  /** The home for this process's environment. */
  public static AtelierHome fromEnvironment() {
    return new AtelierHome(defaultRoot(), defaultCache());
  }

  /** A home at an explicit folder (the {@code --home} flag and tests), caching inside it. */
  public static AtelierHome at(Path root) {
    return new AtelierHome(root, root.resolve("cache"));
  }

  public Path models() {
    return root.resolve("models");
  }

  public Path outputs() {
    return root.resolve("outputs");
  }

  public Path configFile() {
    return root.resolve("config.json");
  }

  private static Path defaultRoot() {
    String env = System.getProperty("atelier.home", System.getenv("ATELIER_HOME"));
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String home = System.getProperty("user.home");
    if (os.contains("mac")) {
      return Path.of(home, "Library", "Application Support", "Atelier");
    }
    if (os.contains("win")) {
      String local = System.getenv("LOCALAPPDATA");
      return local != null
          ? Path.of(local, "Atelier")
          : Path.of(home, "AppData", "Local", "Atelier");
    }
    String xdg = System.getenv("XDG_DATA_HOME");
    return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home, ".local", "share"))
        .resolve("atelier");
  }

  private static Path defaultCache() {
    String env = System.getProperty("atelier.cache", System.getenv("ATELIER_CACHE"));
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String home = System.getProperty("user.home");
    if (os.contains("mac")) {
      return Path.of(home, "Library", "Caches", "Atelier");
    }
    if (os.contains("win")) {
      return defaultRoot().resolve("cache");
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home, ".cache"))
        .resolve("atelier");
  }
}
