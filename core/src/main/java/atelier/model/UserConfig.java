package atelier.model;

import atelier.BadRequestException;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The user's defaults, kept in {@code config.json} in the data folder and changed with {@code
 * atelier config set}. Every member may be null (unset: the built-in default applies). Immutable;
 * never holds a token.
 *
 * @param model the default model: a catalog id, an installed model id or a model folder
 * @param device the default device ({@code cpu} or {@code cuda})
 * @param output the default output folder for images
 * @param endpoint the Hugging Face hub (or a mirror) to pull from
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserConfig(String model, String device, String output, String endpoint) {

  /** The settable keys, with what each means. */
  public enum Key {
    MODEL("model", "default model: a catalog id, an installed model id or a model folder"),
    DEVICE("device", "default device: cpu or cuda"),
    OUTPUT("output", "default output folder for images"),
    ENDPOINT("endpoint", "Hugging Face hub or mirror to pull from (HF_ENDPOINT overrides it)");

    private final String id;
    private final String help;

    Key(String id, String help) {
      this.id = id;
      this.help = help;
    }

    public String id() {
      return id;
    }

    public String help() {
      return help;
    }

    /**
     * Finds a key by name.
     *
     * @throws BadRequestException listing the valid keys when {@code name} is unknown
     */
    public static Key lookup(String name) {
      String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
      for (Key k : values()) {
        if (k.id.equals(n)) {
          return k;
        }
      }
      throw new BadRequestException(
          "config key: expected one of "
              + Arrays.stream(values()).map(Key::id).collect(Collectors.joining(", "))
              + ", found '"
              + name
              + "'");
    }
  }

  public UserConfig {
    model = blankToNull(model);
    device = blankToNull(device);
    output = blankToNull(output);
    endpoint = blankToNull(endpoint);
    if (device != null) {
      device = Device.lookup(device).cliName();
    }
    if (endpoint != null) {
      URI u;
      try {
        u = URI.create(endpoint);
      } catch (IllegalArgumentException e) {
        u = null;
      }
      if (u == null || u.getHost() == null || !endpoint.matches("(?i)https?://.*")) {
        throw new BadRequestException(
            "endpoint: expected an http(s) address like https://huggingface.co, found '"
                + endpoint
                + "'");
      }
    }
  }

  /** Nothing set. */
  public static UserConfig empty() {
    return new UserConfig(null, null, null, null);
  }

  /**
   * Reads a config file; a missing file is an empty config.
   *
   * @throws BadRequestException when the file is not valid JSON or has unknown keys
   */
  public static UserConfig read(Path file) {
    if (!Files.isRegularFile(file)) {
      return empty();
    }
    JsonNode root;
    try {
      root = ModelManifest.JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new BadRequestException("config " + file + ": not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new BadRequestException("config " + file + ": expected a JSON object, found " + root);
    }
    UserConfig c = empty();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Key k;
      try {
        k = Key.lookup(e.getKey());
      } catch (BadRequestException bad) {
        throw new BadRequestException("config " + file + ": " + bad.getMessage(), bad);
      }
      c = c.with(k, e.getValue().isNull() ? null : e.getValue().asText());
    }
    return c;
  }

  /** Writes the config atomically, creating the data folder if needed. */
  public void write(Path file) {
    try {
      atelier.AtomicFiles.write(file, ModelManifest.JSON.writeValueAsBytes(this));
    } catch (IOException e) {
      throw new BadRequestException("config " + file + ": writing failed: " + e.getMessage(), e);
    }
  }

  /** The value of a key, or null when unset. */
  public String get(Key key) {
    return switch (key) {
      case MODEL -> model;
      case DEVICE -> device;
      case OUTPUT -> output;
      case ENDPOINT -> endpoint;
    };
  }

  /** A copy with one key set (null or blank unsets it), validated. */
  public UserConfig with(Key key, String value) {
    return switch (key) {
      case MODEL -> new UserConfig(value, device, output, endpoint);
      case DEVICE -> new UserConfig(model, value, output, endpoint);
      case OUTPUT -> new UserConfig(model, device, value, endpoint);
      case ENDPOINT -> new UserConfig(model, device, output, value);
    };
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
