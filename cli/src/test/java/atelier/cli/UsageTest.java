package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Help text and usage errors through the CLI. */
class UsageTest {

  @Test
  void anUnknownOptionIsOneLineWithTheClosestRealOptions() {
    CliRun typo = CliRun.of("generate", "x", "--stpes", "2");
    assertThat(typo.exitCode()).isEqualTo(2);
    assertThat(typo.err())
        .isEqualTo(
            "atelier: unknown option --stpes; closest: --steps; see atelier generate --help\n");
    // --clip is a different option, not a spelling of --clip-guidance: no suggestion
    CliRun clipGuidance = CliRun.of("generate", "x", "--clip-guidance", "2");
    assertThat(clipGuidance.exitCode()).isEqualTo(2);
    assertThat(clipGuidance.err())
        .isEqualTo("atelier: unknown option --clip-guidance; see atelier generate --help\n");
    CliRun prefix = CliRun.of("generate", "x", "--guid=3");
    assertThat(prefix.err()).contains("unknown option --guid; closest: --guidance;");
    CliRun command = CliRun.of("genrate", "x");
    assertThat(command.exitCode()).isEqualTo(2);
    assertThat(command.err())
        .isEqualTo(
            "atelier: unknown command 'genrate' for atelier; closest: generate; see atelier --help\n");
    CliRun value = CliRun.of("generate", "x", "--steps", "abc");
    assertThat(value.exitCode()).isEqualTo(2);
    assertThat(value.err().lines().count()).isEqualTo(1);
    assertThat(value.err()).contains("'abc' is not an int; see atelier generate --help");
  }

  @Test
  void helpShowsWholeSentencesAndUnbrokenExamples() {
    CliRun help = CliRun.of("--help");
    assertThat(help.exitCode()).isZero();
    String flat = help.out().replaceAll("\\s+", " ");
    List<CommandLine> all = new ArrayList<>();
    collect(new CommandLine(new Main()), all);
    for (CommandLine c : all) {
      String[] description = c.getCommandSpec().usageMessage().description();
      if (description.length == 0) {
        continue;
      }
      String first = description[0];
      // the command list shows the first line alone: it must be a whole sentence
      assertThat(first).as(c.getCommandSpec().qualifiedName()).endsWith(".");
      for (String line : description) {
        if (line.strip().startsWith("atelier ")) {
          // examples are printed as written: short enough that the 80-column help never wraps
          assertThat(line.length()).as(line).isLessThanOrEqualTo(80);
        }
      }
    }
    assertThat(flat)
        .contains("Generate a labelled grid of images over settings, from a prompt or a recipe.")
        .contains("Prepare a basemap for image-to-image: a PNG that records how it was made.");
    CliRun sweep = CliRun.of("sweep", "--help");
    assertThat(sweep.out())
        .contains("\n  atelier sweep 'a lighthouse at dusk' --x guidance=3,7.5,12 --y seed=1..3\n");
  }

  private static void collect(CommandLine c, List<CommandLine> out) {
    out.add(c);
    for (CommandLine sub : c.getSubcommands().values()) {
      if (!out.contains(sub)) {
        collect(sub, out);
      }
    }
  }
}
