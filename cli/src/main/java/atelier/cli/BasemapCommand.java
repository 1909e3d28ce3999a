package atelier.cli;

import atelier.BadRequestException;
import atelier.image.ImageInput;
import atelier.image.ImageLimits;
import atelier.image.basemap.BasemapChain;
import atelier.image.basemap.OpKind;
import atelier.model.ModelHasher;
import atelier.recipe.Jobs;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier basemap}: prepares a basemap with a chain of operations. */
@Command(
    name = "basemap",
    mixinStandardHelpOptions = true,
    description = {
      "Prepare a basemap for image-to-image: apply operations in order to an input picture (or",
      "to a canvas) and write a PNG that records the chain. --list shows the operations.",
      "Example: atelier basemap photo.jpg --op temperature:3200 --op 'noise:perlin,mode=color,mix=0.3' -o base.png"
    })
final class BasemapCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "IN", description = "Input picture.")
  Path input;

  @Option(
      names = "--op",
      paramLabel = "OP",
      description = "An operation NAME[:key=value,…] (repeatable, applied in order).")
  List<String> ops = new ArrayList<>();

  @Option(
      names = "--canvas",
      paramLabel = "W,H[,COLOR]",
      description = "Start from a plain canvas instead of an input (a canvas op first).")
  String canvas;

  @Option(
      names = {"-o", "--out"},
      paramLabel = "OUT.png",
      description = "Where to write the basemap.")
  Path out;

  @Option(names = "--list", description = "List the operations and their parameters.")
  boolean list;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter o = spec.commandLine().getOut();
    if (list) {
      list(o);
      return 0;
    }
    if (out == null) {
      throw new BadRequestException("--out: expected a .png file to write, found none");
    }
    if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      throw new BadRequestException("--out: expected a .png file name, found " + out);
    }
    List<String> specs = new ArrayList<>();
    if (canvas != null) {
      if (input != null) {
        throw new BadRequestException("--canvas: expected either IN or --canvas, found both");
      }
      specs.add("canvas:" + canvas);
    }
    specs.addAll(ops);
    BasemapChain chain = BasemapChain.parse(specs);
    BufferedImage in = null;
    String inSha = null;
    if (input != null) {
      ImageInput.Decoded read = ImageInput.readWithBytes("IN", input, ImageLimits.current());
      in = read.image();
      inSha = ModelHasher.sha256Of(read.bytes());
    }
    BufferedImage result = chain.apply(in);
    byte[] png = Jobs.basemapPng(result, chain, input, inSha);
    try {
      atelier.AtomicFiles.write(out, png);
    } catch (IOException e) {
      throw atelier.OutputTarget.failure(out, e);
    }
    if (json) {
      ObjectMapper m = new ObjectMapper();
      ObjectNode root = m.createObjectNode();
      root.put("file", out.toString());
      root.put("width", result.getWidth());
      root.put("height", result.getHeight());
      root.put("sha256", ModelHasher.sha256Of(png));
      root.set("steps", m.valueToTree(chain.specs()));
      o.println(root.toString());
    } else {
      o.printf(
          Locale.ROOT,
          "wrote %s (%d×%d, %d step%s)%n",
          out,
          result.getWidth(),
          result.getHeight(),
          chain.ops().size(),
          chain.ops().size() == 1 ? "" : "s");
      for (String s : chain.specs()) {
        o.println("  " + s);
      }
    }
    o.flush();
    return 0;
  }

  private void list(PrintWriter o) {
    if (json) {
      ObjectMapper m = new ObjectMapper();
      var arr = m.createArrayNode();
      for (OpKind k : OpKind.values()) {
        ObjectNode n = arr.addObject();
        n.put("name", k.opName());
        n.put("description", k.description());
        n.set("positional", m.valueToTree(k.positional()));
        n.put("source", k.isSource());
      }
      o.println(arr.toString());
    } else {
      for (OpKind k : OpKind.values()) {
        o.printf(
            Locale.ROOT,
            "%-15s %s%n%15s unnamed values: %s%n",
            k.opName(),
            k.description(),
            "",
            k.positional().isEmpty() ? "none" : String.join(", ", k.positional()));
      }
      o.println();
      o.println(
          "Syntax: NAME[:value,…,key=value,…]; quote values with commas: text:'Hello, world'.");
      o.println("Details and every parameter: docs/craft.md.");
    }
    o.flush();
  }
}
