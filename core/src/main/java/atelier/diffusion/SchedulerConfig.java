package atelier.diffusion;

import atelier.BadRequestException;
import atelier.ModelLoadException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A model's {@code scheduler/scheduler_config.json}: the keys the file has, and only those. Keys
 * the file lacks stay absent, so a scheduler built from it takes the <em>target</em> class's
 * default for them, as diffusers' {@code OtherScheduler.from_config(model_config)} does (an SD 1.5
 * PNDM config without timestep_spacing gives Euler "linspace" and DDIM "leading"). Keys Atelier
 * does not know are kept and ignored, as diffusers ignores them.
 *
 * <p>Immutable and thread-safe. Known keys are type-checked when read; whether a value is supported
 * is checked when a scheduler is made ({@link Schedulers#create}).
 */
public final class SchedulerConfig {
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private enum Type {
    NUMBER,
    NUMBER_OR_NULL,
    INTEGER,
    BOOLEAN,
    STRING,
    STRING_OR_NULL,
    NUMBERS_OR_NULL
  }

  private static final Map<String, Type> KNOWN = knownKeys();

  private final Map<String, JsonNode> values;
  private final String source;

  private SchedulerConfig(Map<String, JsonNode> values, String source) {
    this.values = Collections.unmodifiableMap(values);
    this.source = source;
  }

  /** A config with no keys: every scheduler uses its class defaults. */
  public static SchedulerConfig empty() {
    return new SchedulerConfig(new LinkedHashMap<>(), "(empty config)");
  }

  /**
   * Reads a scheduler_config.json file.
   *
   * @throws ModelLoadException if it cannot be read, is not a JSON object, or a known key has the
   *     wrong type
   */
  public static SchedulerConfig read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read scheduler config " + file + ": " + e, e);
    }
    return parse(text, file.toString());
  }

  /**
   * Parses scheduler config JSON; {@code source} names it in error messages (a path or a model id).
   * Python's {@code Infinity}/{@code NaN} literals are accepted, as diffusers writes them.
   *
   * @throws ModelLoadException if it is not a JSON object or a known key has the wrong type
   */
  public static SchedulerConfig parse(String json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new ModelLoadException(
          "scheduler config " + source + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelLoadException(
          "scheduler config "
              + source
              + ": expected a JSON object, found "
              + (root == null ? "nothing" : root.getNodeType()));
    }
    Map<String, JsonNode> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      String problem = typeProblem(e.getKey(), e.getValue());
      if (problem != null) {
        throw new ModelLoadException("scheduler config " + source + ": " + problem);
      }
      map.put(e.getKey(), e.getValue());
    }
    return new SchedulerConfig(map, source);
  }

  /**
   * This config with one key set (or replaced): a Boolean, Number, String, float[] or null.
   *
   * @throws BadRequestException if the value has the wrong type for a known key
   */
  public SchedulerConfig with(String key, Object value) {
    JsonNode node = value instanceof float[] floats ? floatArray(floats) : JSON.valueToTree(value);
    if (node == null) {
      node = JsonNodeFactory.instance.nullNode();
    }
    String problem = typeProblem(key, node);
    if (problem != null) {
      throw new BadRequestException("scheduler config override: " + problem);
    }
    Map<String, JsonNode> copy = new LinkedHashMap<>(values);
    copy.put(key, node);
    return new SchedulerConfig(copy, source + " (with " + key + ")");
  }

  /** Whether the config has this key (even with a null value). */
  public boolean has(String key) {
    return values.containsKey(key);
  }

  /** The keys present, in file order. */
  public Set<String> keys() {
    return values.keySet();
  }

  /** The diffusers class the config was written for ({@code _class_name}), if it says. */
  public Optional<String> className() {
    JsonNode n = values.get("_class_name");
    return n != null && n.isTextual() ? Optional.of(n.asText()) : Optional.empty();
  }

  /** Where the config came from, for messages. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "SchedulerConfig" + values + " from " + source;
  }

  // Typed access for the resolution step; absent (or JSON null) keys give empty.

  Optional<Double> number(String key) {
    JsonNode n = values.get(key);
    return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asDouble());
  }

  Optional<Integer> integer(String key) {
    JsonNode n = values.get(key);
    return n == null || n.isNull() ? Optional.empty() : Optional.of((int) n.asDouble());
  }

  /**
   * A boolean key; JSON null reads as false, as Python's None is falsy where diffusers tests it.
   */
  Optional<Boolean> bool(String key) {
    JsonNode n = values.get(key);
    return n == null ? Optional.empty() : Optional.of(n.isBoolean() && n.asBoolean());
  }

  Optional<String> string(String key) {
    JsonNode n = values.get(key);
    return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
  }

  Optional<float[]> floats(String key) {
    JsonNode n = values.get(key);
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    float[] out = new float[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) n.get(i).asDouble();
    }
    return Optional.of(out);
  }

  private static JsonNode floatArray(float[] floats) {
    var array = JsonNodeFactory.instance.arrayNode();
    for (float f : floats) {
      array.add(f);
    }
    return array;
  }

  private static String typeProblem(String key, JsonNode value) {
    Type type = KNOWN.get(key);
    if (type == null) {
      return null;
    }
    boolean ok =
        switch (type) {
          case NUMBER -> value.isNumber();
          case NUMBER_OR_NULL -> value.isNumber() || value.isNull();
          case INTEGER ->
              value.isNumber()
                  && value.asDouble() == Math.rint(value.asDouble())
                  && Math.abs(value.asDouble()) < 1e9;
          case BOOLEAN -> value.isBoolean() || value.isNull();
          case STRING -> value.isTextual();
          case STRING_OR_NULL -> value.isTextual() || value.isNull();
          case NUMBERS_OR_NULL -> value.isNull() || allNumbers(value);
        };
    if (ok) {
      return null;
    }
    String expected =
        switch (type) {
          case NUMBER -> "a number";
          case NUMBER_OR_NULL -> "a number or null";
          case INTEGER -> "an integer";
          case BOOLEAN -> "true or false";
          case STRING -> "a string";
          case STRING_OR_NULL -> "a string or null";
          case NUMBERS_OR_NULL -> "an array of numbers or null";
        };
    return "key \"" + key + "\": expected " + expected + ", found " + value;
  }

  private static boolean allNumbers(JsonNode value) {
    if (!value.isArray()) {
      return false;
    }
    for (JsonNode e : value) {
      if (!e.isNumber()) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, Type> knownKeys() {
    Map<String, Type> m = new LinkedHashMap<>();
    for (String k :
        new String[] {
          "beta_start", "beta_end", "clip_sample_range", "dynamic_thresholding_ratio",
          "sample_max_value", "timestep_scaling", "flow_shift", "lambda_min_clipped"
        }) {
      m.put(k, Type.NUMBER);
    }
    m.put("sigma_min", Type.NUMBER_OR_NULL);
    m.put("sigma_max", Type.NUMBER_OR_NULL);
    for (String k :
        new String[] {
          "num_train_timesteps", "steps_offset", "original_inference_steps", "solver_order"
        }) {
      m.put(k, Type.INTEGER);
    }
    for (String k :
        new String[] {
          "clip_sample",
          "set_alpha_to_one",
          "skip_prk_steps",
          "thresholding",
          "rescale_betas_zero_snr",
          "use_karras_sigmas",
          "use_exponential_sigmas",
          "use_beta_sigmas",
          "use_lu_lambdas",
          "use_flow_sigmas",
          "lower_order_final",
          "euler_at_final",
          "use_dynamic_shifting",
          "predict_x0"
        }) {
      m.put(k, Type.BOOLEAN);
    }
    for (String k :
        new String[] {
          "_class_name", "beta_schedule", "prediction_type", "timestep_spacing",
          "interpolation_type", "timestep_type", "final_sigmas_type", "algorithm_type",
          "solver_type", "time_shift_type"
        }) {
      m.put(k, Type.STRING);
    }
    m.put("variance_type", Type.STRING_OR_NULL);
    m.put("trained_betas", Type.NUMBERS_OR_NULL);
    m.put("disable_corrector", Type.NUMBERS_OR_NULL);
    return Map.copyOf(m);
  }
}
