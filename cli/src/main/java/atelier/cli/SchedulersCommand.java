package atelier.cli;

import atelier.diffusion.SchedulerKind;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code atelier schedulers}: the samplers, with A1111's names and the diffusers classes. */
@Command(
    name = "schedulers",
    aliases = "samplers",
    mixinStandardHelpOptions = true,
    description = {
      "List the samplers and the diffusers scheduler each reproduces.",
      "Each has a name for -s/--scheduler and A1111's name (accepted too, case and spaces"
          + " ignored; written in the PNG's parameters)."
    })
final class SchedulersCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON document.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ArrayNode list = ModelsCommand.JSON.createArrayNode();
      for (SchedulerKind kind : SchedulerKind.values()) {
        ObjectNode n = list.addObject();
        n.put("name", kind.cliName());
        n.put("a1111", kind.a1111Name());
        n.put("diffusers", kind.diffusersClass());
        kind.aliases().forEach(n.putArray("aliases")::add);
      }
      ObjectNode root = ModelsCommand.JSON.createObjectNode();
      root.set("schedulers", list);
      out.println(root.toPrettyString());
      return 0;
    }
    out.printf("%-20s %-22s %s%n", "NAME", "A1111", "DIFFUSERS");
    for (SchedulerKind kind : SchedulerKind.values()) {
      out.printf(
          "%-20s %-22s %s%n",
          kind.cliName(), "\"" + kind.a1111Name() + "\"", kind.diffusersClass());
    }
    return 0;
  }
}
