package atelier.cli;

import atelier.BadRequestException;
import atelier.image.basemap.OpSyntax;
import atelier.jobs.CraftSources;
import atelier.text.library.Category;
import atelier.text.library.LibraryEntry;
import atelier.text.library.PromptExpander;
import atelier.text.library.PromptLibrary;
import atelier.text.library.PromptTemplate;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier prompts list|show|build}: browse the prompt library and expand templates. */
@Command(
    name = "prompts",
    mixinStandardHelpOptions = true,
    description = "Browse the prompt library and build prompts from its templates.",
    subcommands = {
      PromptsCommand.ListCmd.class,
      PromptsCommand.Show.class,
      PromptsCommand.Build.class
    })
final class PromptsCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every subcommand has. */
  abstract static class Base implements Terminal.JsonAware {
    @Spec CommandSpec spec;

    @Option(
        names = "--library",
        paramLabel = "DIR",
        description = "Also read categories and templates from this folder.")
    Path library;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public boolean json() {
      return json;
    }

    PromptLibrary lib() {
      return CraftSources.library(Home.of(spec), library);
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  /** Lists categories and templates, or one category's entries. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List categories and templates, or the entries of one category.")
  static final class ListCmd extends Base implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "CATEGORY", description = "A category to list.")
    String category;

    @Override
    public Integer call() {
      PromptLibrary lib = lib();
      PrintWriter o = out();
      if (category != null) {
        printCategory(o, lib.category(category), json);
      } else if (json) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode cats = root.putArray("categories");
        for (Category c : lib.categories()) {
          cats.addObject()
              .put("name", c.name())
              .put("entries", c.entries().size())
              .put("description", c.description());
        }
        ArrayNode ts = root.putArray("templates");
        for (PromptTemplate t : lib.templates()) {
          ts.addObject().put("name", t.name()).put("description", t.description());
        }
        o.println(root.toString());
      } else {
        o.println("Categories (use as __name__ in templates):");
        for (Category c : lib.categories()) {
          o.printf(Locale.ROOT, "  %-12s %3d  %s%n", c.name(), c.entries().size(), c.description());
        }
        o.println("Templates (atelier prompts build NAME):");
        for (PromptTemplate t : lib.templates()) {
          o.printf(Locale.ROOT, "  %-12s %s%n", t.name(), t.description());
        }
      }
      o.flush();
      return 0;
    }
  }

  static void printCategory(PrintWriter o, Category c, boolean json) {
    if (json) {
      o.println(JSON.valueToTree(c).toString());
      return;
    }
    o.println(c.name() + ": " + c.description());
    for (LibraryEntry e : c.entries()) {
      o.printf(
          Locale.ROOT,
          "  %-28s %-5s %s%n",
          e.name(),
          e.weight() == 1 ? "" : OpSyntax.value(e.weight()),
          e.text());
    }
  }

  /** Shows a template, a category or one entry ({@code category/entry}). */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show a template, a category, or one entry as CATEGORY/ENTRY.")
  static final class Show extends Base implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "Template, category, or category/entry.")
    String name;

    @Override
    public Integer call() {
      PromptLibrary lib = lib();
      PrintWriter o = out();
      Optional<PromptTemplate> t = lib.findTemplate(name);
      if (name.contains("/")) {
        String[] p = name.split("/", 2);
        LibraryEntry e = lib.category(p[0]).entry(p[1]);
        if (json) {
          o.println(JSON.valueToTree(e).toString());
        } else {
          o.println(e.name() + " (" + p[0] + ")");
          o.println("  text:   " + e.text());
          o.println("  weight: " + OpSyntax.value(e.weight()));
          o.println("  prompt: " + e.render());
          o.println("  tags:   " + String.join(", ", e.tags()));
        }
      } else if (t.isPresent()) {
        if (json) {
          o.println(JSON.valueToTree(t.get()).toString());
        } else {
          PromptTemplate x = t.get();
          o.println(x.name() + ": " + x.description());
          o.println("  text:     " + x.text());
          o.println("  negative: " + x.negative());
          x.defaults().forEach((k, v) -> o.println("  {" + k + "} = " + v));
        }
      } else if (lib.findCategory(name).isPresent()) {
        printCategory(o, lib.category(name), json);
      } else {
        throw new BadRequestException(
            "prompts show: expected a template, a category or CATEGORY/ENTRY, found '"
                + name
                + "' (atelier prompts list shows them)");
      }
      o.flush();
      return 0;
    }
  }

  /** Expands a template or pattern with seeded choices. */
  @Command(
      name = "build",
      mixinStandardHelpOptions = true,
      description = {
        "Expand a template (or --pattern) into prompts.",
        "{slot} values come from --set or the template's defaults; {a|b} options and",
        "__category__ wildcards are drawn with the seed."
      })
  static final class Build extends Base implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "TEMPLATE", description = "A library template.")
    String template;

    @Option(
        names = "--pattern",
        paramLabel = "TEXT",
        description = "A pattern instead of a template.")
    String pattern;

    @Option(names = "--set", paramLabel = "SLOT=VALUE", description = "A slot value (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(
        names = "--pick",
        paramLabel = "CATEGORY=ENTRY",
        description = "Fix a category's entry (repeatable).")
    List<String> picks = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "S", description = "Seed (random if unset).")
    Long seed;

    @Option(
        names = "--count",
        paramLabel = "N",
        description = "Prompts to build (seeds S, S+1, …).")
    int count = 1;

    @Override
    public Integer call() {
      if ((template == null) == (pattern == null)) {
        throw new BadRequestException(
            "prompts build: expected a TEMPLATE or --pattern TEXT, found "
                + (template == null ? "neither" : "both"));
      }
      if (count < 1 || count > 1000) {
        throw new BadRequestException("--count: expected 1 to 1000, found " + count);
      }
      PromptLibrary lib = lib();
      PromptExpander x = new PromptExpander(lib);
      Map<String, String> slots = CraftSources.pairs(sets, "--set");
      Map<String, String> pk = CraftSources.pairs(picks, "--pick");
      long s = seed != null ? seed : new SecureRandom().nextLong() & 0xFFFF_FFFFL;
      PrintWriter o = out();
      ArrayNode arr = JSON.createArrayNode();
      for (int i = 0; i < count; i++) {
        PromptExpander.Expansion e =
            template != null
                ? x.expand(lib.template(template), slots, pk, s + i)
                : x.expand(pattern, slots, pk, s + i);
        if (json) {
          arr.add(JSON.valueToTree(e));
        } else {
          o.println("seed " + e.seed() + ": " + e.text());
          if (!e.negative().isEmpty()) {
            o.println("  negative: " + e.negative());
          }
        }
      }
      if (json) {
        o.println(arr.toString());
      }
      o.flush();
      return 0;
    }
  }
}
