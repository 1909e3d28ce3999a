package atelier.server;

import atelier.BadRequestException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * A job to put in the queue: its kind and its JSON spec, validated here so that nothing malformed
 * is ever stored. Immutable.
 *
 * @param kind lower-case letters, digits and dashes, such as {@code generate}
 * @param spec a JSON object
 * @param priority higher runs first
 */
public record JobSubmission(String kind, String spec, int priority) {
  private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9-]{0,63}");
  private static final ObjectMapper JSON = new ObjectMapper();

  public JobSubmission {
    if (kind == null || !KIND.matcher(kind).matches()) {
      throw new BadRequestException(
          "job kind: expected lower-case letters, digits and dashes (at most 64), found "
              + (kind == null ? "nothing" : "\"" + kind + "\""));
    }
    if (spec == null) {
      throw new BadRequestException("job spec: expected a JSON object, found nothing");
    }
    JsonNode node;
    try {
      node = JSON.readTree(spec);
    } catch (JsonProcessingException e) {
      throw new BadRequestException(
          "job spec: expected a JSON object, found invalid JSON (" + e.getOriginalMessage() + ")");
    }
    if (node == null || !node.isObject()) {
      throw new BadRequestException(
          "job spec: expected a JSON object, found "
              + (node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT)));
    }
  }

  /** A submission at the default priority 0. */
  public static JobSubmission of(String kind, String spec) {
    return new JobSubmission(kind, spec, 0);
  }

  /**
   * This submission with a concrete {@code seed} in its spec: an absent or null seed becomes a
   * random non-negative one, so that a job re-run after a crash makes the same images. Front ends
   * call this before submitting a kind that draws random numbers; an existing seed is kept.
   */
  public JobSubmission withFixedSeed(RandomGenerator random) {
    try {
      ObjectNode node = (ObjectNode) JSON.readTree(spec);
      JsonNode seed = node.get("seed");
      if (seed != null && !seed.isNull()) {
        return this;
      }
      node.put("seed", random.nextLong(0, 1L << 32));
      return new JobSubmission(kind, JSON.writeValueAsString(node), priority);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("job spec was checked as JSON but no longer parses", e);
    }
  }
}
