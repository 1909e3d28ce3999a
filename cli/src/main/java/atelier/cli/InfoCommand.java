package atelier.cli;

import atelier.BadRequestException;
import atelier.pipeline.ArtworkPng;
import atelier.recipe.ProvenancePng;
import atelier.recipe.SweepRunner;
import atelier.upscale.UpscalePng;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code atelier info IMAGE.png}: every record stored in a PNG — A1111's {@code parameters} and
 * {@code postprocessing} text, Atelier's generation record, recipe provenance, upscale steps,
 * basemap chain and sweep grid — and any other text chunk.
 */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description =
        "Show the records stored in a PNG: generation parameters (Atelier's and A1111's), recipe"
            + " provenance, upscale steps, basemap chain, sweep grid.")
final class InfoCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "IMAGE.png", description = "An image made by Atelier (or A1111).")
  Path image;

  @Option(names = "--json", description = "Print every record as one JSON document.")
  boolean json;

  /** A known chunk: its keyword, its field in {@code --json}, its title, whether it holds JSON. */
  private record Known(String keyword, String field, String title, boolean isJson) {}

  /** The chunks Atelier (and A1111) write, in the order they are shown. */
  private static final List<Known> KNOWN =
      List.of(
          new Known(ArtworkPng.PARAMETERS, "parameters", null, false),
          new Known(ArtworkPng.RECORD, "record", "Atelier record", true),
          new Known(ProvenancePng.PROVENANCE, "provenance", "Recipe provenance", true),
          new Known(ProvenancePng.BASEMAP, "basemap", "Basemap chain", true),
          new Known(UpscalePng.RECORDS, "upscale", "Upscale steps", true),
          new Known(UpscalePng.POSTPROCESSING, "postprocessing", "Postprocessing (A1111)", false),
          new Known(SweepRunner.SWEEP, "sweep", "Sweep grid", true));

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> texts = ArtworkPng.texts(image);
    if (KNOWN.stream().noneMatch(k -> texts.containsKey(k.keyword()))) {
      throw new BadRequestException(
          "image "
              + image
              + ": expected generation parameters or an Atelier record (PNG text chunk 'atelier',"
              + " 'parameters', 'atelier-provenance', 'atelier-upscale', 'atelier-basemap' or"
              + " 'atelier-sweep'), found "
              + (texts.isEmpty() ? "no text chunks" : "only " + texts.keySet()));
    }
    Map<String, JsonNode> parsed = new LinkedHashMap<>();
    for (Known k : KNOWN) {
      String v = texts.get(k.keyword());
      if (v != null && k.isJson()) {
        parsed.put(k.keyword(), parse(k, v));
      }
    }
    Map<String, String> others = new LinkedHashMap<>(texts);
    KNOWN.forEach(k -> others.remove(k.keyword()));
    try {
      if (json) {
        ObjectNode root = ArtworkPng.json().createObjectNode();
        root.put("file", image.toString());
        for (Known k : KNOWN) {
          String v = texts.get(k.keyword());
          if (v != null) {
            if (k.isJson()) {
              root.set(k.field(), parsed.get(k.keyword()));
            } else {
              root.put(k.field(), v);
            }
          }
        }
        if (!others.isEmpty()) {
          root.set("other", ArtworkPng.json().valueToTree(others));
        }
        out.println(root.toString());
      } else {
        boolean first = true;
        for (Known k : KNOWN) {
          String v = texts.get(k.keyword());
          if (v == null) {
            continue;
          }
          if (!first) {
            out.println();
          }
          first = false;
          if (k.title() != null) {
            out.println(k.title() + " (" + k.keyword() + "):");
          }
          out.println(
              k.isJson()
                  ? ArtworkPng.json()
                      .writerWithDefaultPrettyPrinter()
                      .writeValueAsString(parsed.get(k.keyword()))
                  : v);
        }
        for (Map.Entry<String, String> e : others.entrySet()) {
          out.println();
          out.println("Other text chunk '" + e.getKey() + "':");
          out.println(e.getValue());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("printing the records of " + image + " failed", e);
    }
    out.flush();
    return 0;
  }

  private JsonNode parse(Known k, String text) {
    try {
      return ArtworkPng.json().readTree(text);
    } catch (IOException e) {
      throw new BadRequestException(
          "image "
              + image
              + ": expected JSON in PNG text chunk '"
              + k.keyword()
              + "' ("
              + k.title().toLowerCase(java.util.Locale.ROOT)
              + "), found text that is not JSON: "
              + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                  ? j.getOriginalMessage()
                  : e.getMessage()),
          e);
    }
  }
}
