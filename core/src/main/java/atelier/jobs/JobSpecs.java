package atelier.jobs;

import atelier.AtelierException;
import atelier.BadRequestException;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Job specs as JSON, for queues and HTTP: {@link #toJson} writes the set fields of a spec, {@link
 * #fromJson} reads one back by kind and validates it exactly as constructing it does. Byte fields
 * ({@code initData}, {@code inputData}) are base64 text. Unknown fields are refused, so a misspelt
 * option is never silently dropped. Stateless and thread-safe.
 */
public final class JobSpecs {
  /** The kinds, in the order documented. */
  public static final List<String> KINDS =
      List.of(GenerateSpec.KIND, UpscaleSpec.KIND, RecipeSpec.KIND, SweepSpec.KIND);

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

  private JobSpecs() {}

  /** The spec's fields as one JSON object (unset fields left out). */
  public static String toJson(JobSpec spec) {
    try {
      return JSON.writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("serialising a " + spec.kind() + " spec failed", e);
    }
  }

  /**
   * Reads a spec of {@code kind} from JSON and validates it.
   *
   * @throws BadRequestException naming the kind or field, what was expected and what was found
   */
  public static JobSpec fromJson(String kind, String json) {
    Class<? extends JobSpec> type = type(kind);
    if (json == null) {
      throw new BadRequestException(kind + " spec: expected a JSON object, found nothing");
    }
    try {
      JsonNode tree = JSON.readTree(json);
      if (tree == null || !tree.isObject()) {
        throw new BadRequestException(
            kind + " spec: expected a JSON object, found " + describe(tree));
      }
      return JSON.treeToValue(tree, type);
    } catch (ValueInstantiationException e) {
      throw instantiation(kind, e);
    } catch (UnrecognizedPropertyException e) {
      List<String> known = e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
      throw new BadRequestException(
          kind
              + " spec field '"
              + e.getPropertyName()
              + "': expected one of "
              + String.join(", ", known)
              + ", found an unknown field",
          e);
    } catch (InvalidFormatException e) {
      throw new BadRequestException(
          kind
              + " spec field '"
              + path(e)
              + "': expected "
              + expected(e.getTargetType())
              + ", found "
              + quote(e.getValue()),
          e);
    } catch (MismatchedInputException e) {
      throw new BadRequestException(
          kind
              + " spec field '"
              + path(e)
              + "': expected "
              + expected(e.getTargetType())
              + ", found "
              + found(e),
          e);
    } catch (JsonMappingException e) {
      if (e.getCause() instanceof AtelierException a) {
        throw a;
      }
      throw new BadRequestException(
          kind + " spec field '" + path(e) + "': " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new BadRequestException(
          kind
              + " spec: expected JSON, found a syntax error at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + " ("
              + e.getOriginalMessage()
              + ")",
          e);
    }
  }

  /** The record class of a kind. */
  public static Class<? extends JobSpec> type(String kind) {
    return switch (kind == null ? "" : kind) {
      case GenerateSpec.KIND -> GenerateSpec.class;
      case UpscaleSpec.KIND -> UpscaleSpec.class;
      case RecipeSpec.KIND -> RecipeSpec.class;
      case SweepSpec.KIND -> SweepSpec.class;
      default ->
          throw new BadRequestException(
              "kind: expected one of " + String.join(", ", KINDS) + ", found '" + kind + "'");
    };
  }

  private static BadRequestException instantiation(String kind, ValueInstantiationException e) {
    Throwable c = e.getCause();
    if (c instanceof BadRequestException b) {
      return b;
    }
    if (c instanceof IllegalArgumentException || c instanceof AtelierException) {
      // Nested values (symmetry) check themselves with IllegalArgumentException.
      return new BadRequestException(kind + " spec field '" + path(e) + "': " + c.getMessage(), c);
    }
    return new BadRequestException(kind + " spec: " + e.getOriginalMessage(), e);
  }

  private static String path(JsonMappingException e) {
    String p =
        e.getPath().stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining("."))
            .replace(".[", "[");
    return p.isEmpty() ? "(root)" : p;
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return "a value";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == String.class) {
      return "text";
    }
    if (type == byte[].class) {
      return "base64 text";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list of text";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "an object of text values";
    }
    if (type == atelier.pipeline.Symmetry.class) {
      return "an object {horizontal, vertical, fraction}";
    }
    return "a " + type.getSimpleName();
  }

  private static String found(MismatchedInputException e) {
    if (e.getProcessor() instanceof JsonParser p) {
      JsonToken t = p.currentToken();
      if (t != null) {
        try {
          return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            case VALUE_STRING -> quote(p.getText());
            case VALUE_NULL -> "null";
            default -> p.getText();
          };
        } catch (java.io.IOException x) {
          return t.toString();
        }
      }
    }
    return "another type";
  }

  private static String describe(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    return n.isArray() ? "a list" : n.isNull() ? "null" : n.toString();
  }

  private static String quote(Object v) {
    return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
  }
}
