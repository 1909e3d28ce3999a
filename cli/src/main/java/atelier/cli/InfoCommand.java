package atelier.cli;

import atelier.pipeline.ArtworkPng;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier info IMAGE.png}: the generation record stored in a PNG. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description =
        "Show the generation parameters stored in a PNG (Atelier's record, or A1111's text).")
final class InfoCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "IMAGE.png", description = "An image made by Atelier (or A1111).")
  Path image;

  @Option(names = "--json", description = "Print the full record as JSON.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> texts = ArtworkPng.texts(image);
    String record = texts.get(ArtworkPng.RECORD);
    String parameters = texts.get(ArtworkPng.PARAMETERS);
    if (record == null && parameters == null) {
      throw new atelier.BadRequestException(
          "image "
              + image
              + ": expected generation parameters (PNG text chunk 'atelier' or"
              + " 'parameters'), found "
              + (texts.isEmpty() ? "none" : "only " + texts.keySet()));
    }
    try {
      if (json) {
        ObjectNode root = ArtworkPng.json().createObjectNode();
        root.put("file", image.toString());
        if (parameters != null) {
          root.put("parameters", parameters);
        }
        if (record != null) {
          root.set("record", ArtworkPng.json().readTree(record));
        }
        out.println(root.toString());
      } else {
        if (parameters != null) {
          out.println(parameters);
        }
        if (record != null) {
          JsonNode r = ArtworkPng.json().readTree(record);
          out.println();
          out.println("Atelier record:");
          out.println(ArtworkPng.json().writerWithDefaultPrettyPrinter().writeValueAsString(r));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the record of " + image + " failed", e);
    }
    out.flush();
    return 0;
  }
}
