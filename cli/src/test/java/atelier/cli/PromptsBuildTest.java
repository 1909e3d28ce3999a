package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code atelier prompts build}: picks apply or are refused, and the {@code atelier prompts}
 * examples in docs/craft.md are real (each {@code $ atelier prompts …} line in a code block is run,
 * and what it prints must be exactly the lines shown under it; the library needs no model, so all
 * run).
 */
class PromptsBuildTest {

  record Example(String command, List<String> args, String expected) {}

  @Test
  void aPickAppliesOrIsRefusedNamingTheSlots() {
    CliRun r =
        CliRun.of("prompts", "build", "wallpaper", "--pick", "style=cyberpunk", "--seed", "7");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("seed 7: ").contains("(cyberpunk:1.2)");
    CliRun bad = CliRun.of("prompts", "build", "cyberpunk", "--pick", "style=anime", "--seed", "7");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err().strip())
        .startsWith("atelier: pick style=anime: expected a category that template cyberpunk draws")
        .contains("its slots: {subject}")
        .doesNotContain("\n");
  }

  @Test
  void everyPromptsExampleInTheCraftDocsPrintsWhatItShows() throws Exception {
    List<Example> examples = examples(TestPaths.repoRoot().resolve("docs/craft.md"));
    assertThat(examples).extracting(Example::command).anyMatch(c -> c.contains("--pattern"));
    for (Example e : examples) {
      CliRun r = CliRun.of(e.args().toArray(String[]::new));
      boolean error = e.expected().startsWith("atelier: ");
      assertThat(r.exitCode()).as(e.command() + "\n" + r.err()).isEqualTo(error ? 2 : 0);
      assertThat((error ? r.err() : r.out()).stripTrailing())
          .as(e.command())
          .isEqualTo(e.expected());
    }
  }

  /** The {@code $ atelier prompts} commands in fenced blocks, with the output shown after each. */
  static List<Example> examples(Path markdown) throws Exception {
    List<Example> out = new ArrayList<>();
    boolean inBlock = false;
    String command = null;
    StringBuilder expected = new StringBuilder();
    List<String> lines = Files.readAllLines(markdown);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      boolean fence = line.startsWith("```");
      boolean prompt = inBlock && line.startsWith("$ ");
      if (command != null && (fence || prompt)) {
        out.add(new Example(command, words(command), expected.toString().stripTrailing()));
        command = null;
      }
      if (fence) {
        inBlock = !inBlock;
      } else if (prompt) {
        StringBuilder cmd = new StringBuilder(line.substring(2));
        while (cmd.toString().endsWith("\\") && i + 1 < lines.size()) {
          cmd.setLength(cmd.length() - 1);
          cmd.append(' ').append(lines.get(++i).strip());
        }
        if (cmd.toString().startsWith("atelier prompts ")) {
          command = cmd.toString();
          expected.setLength(0);
        }
      } else if (command != null) {
        expected.append(line).append('\n');
      }
    }
    return out;
  }

  /** A shell command's words after {@code atelier}: single and double quotes group. */
  static List<String> words(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean any = false;
    char quote = 0;
    for (char c : command.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        any = true;
      } else if (Character.isWhitespace(c)) {
        if (any || w.length() > 0) {
          words.add(w.toString());
          w.setLength(0);
          any = false;
        }
      } else {
        w.append(c);
      }
    }
    if (any || w.length() > 0) {
      words.add(w.toString());
    }
    return words.subList(1, words.size());
  }
}
