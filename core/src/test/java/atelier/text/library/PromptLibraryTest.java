package atelier.text.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptLibraryTest {
  private final PromptLibrary lib = PromptLibrary.builtIn();

  @Test
  void builtInLibraryIsSizeableAndCategorised() {
    assertThat(lib.categories().stream().map(Category::name))
        .contains(
            "subject",
            "style",
            "artist",
            "lighting",
            "composition",
            "color",
            "mood",
            "quality",
            "negative",
            "creature");
    Map<String, Integer> atLeast =
        Map.of(
            "style",
            60,
            "artist",
            60,
            "subject",
            40,
            "lighting",
            30,
            "composition",
            30,
            "quality",
            25);
    atLeast.forEach(
        (name, n) ->
            assertThat(lib.category(name).entries()).as(name).hasSizeGreaterThanOrEqualTo(n));
    assertThat(lib.category("style").entry("anime").render()).isEqualTo("(anime style:1.1)");
    assertThat(lib.category("style").entry("watercolour").text()).isEqualTo("watercolor painting");
    assertThat(lib.category("artist").entry("makoto-shinkai").render()).isEqualTo("Makoto Shinkai");
    assertThat(lib.category("artist").entry("Simon Stålenhag").name()).isEqualTo("simon-stalenhag");
    assertThat(lib.templates().stream().map(PromptTemplate::name))
        .contains("classic", "wallpaper", "art-name", "landmark", "collectible", "anime");
  }

  @Test
  void everyTemplateExpandsForManySeeds() {
    PromptExpander x = new PromptExpander(lib);
    for (PromptTemplate t : lib.templates()) {
      for (long seed = 0; seed < 25; seed++) {
        PromptExpander.Expansion e = x.expand(t, Map.of("text", "ATELIER"), Map.of(), seed);
        assertThat(e.text()).as(t.name()).isNotBlank().doesNotContain("__", "{", "}", ", ,");
        assertThat(e.negative()).doesNotContain("__", "{");
      }
    }
  }

  @Test
  void unknownNamesListTheValidOnes() {
    assertThatThrownBy(() -> lib.category("styles"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected a category (subject, creature, style, artist")
        .hasMessageEndingWith("found 'styles'");
    assertThatThrownBy(() -> lib.template("walpaper")).hasMessageContaining("found 'walpaper'");
    assertThatThrownBy(() -> lib.category("style").entry("animu"))
        .hasMessageContaining("library style: expected an entry name such as anime")
        .hasMessageContaining("found 'animu'");
  }

  @Test
  void userFoldersAddAndOverride(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("style.yaml"),
        "category: style\ndescription: mine\nentries:\n  - just words\n  - {name: neon, text: neon"
            + " glow, weight: 1.3, tags: [x]}\n");
    Files.writeString(
        dir.resolve("t.json"),
        "{\"templates\": [{\"name\": \"mine\", \"text\": \"{subject}, __style__\","
            + " \"defaults\": {\"subject\": \"a cat\"}}]}");
    PromptLibrary merged = lib.with(PromptLibrary.load(dir));
    assertThat(merged.category("style").entries()).hasSize(2);
    assertThat(merged.category("style").entry("just-words").weight()).isEqualTo(1.0);
    assertThat(merged.category("artist").entries()).hasSizeGreaterThan(10);
    PromptExpander.Expansion e =
        new PromptExpander(merged)
            .expand(merged.template("mine"), Map.of(), Map.of("style", "neon"), 1);
    assertThat(e.text()).isEqualTo("a cat, (neon glow:1.3)");
  }

  @Test
  void badFilesNameTheFileAndField(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("bad.yaml"),
        "category: style\nentries:\n  - ok\n  - {text: x, weight: heavy}\n");
    assertThatThrownBy(() -> PromptLibrary.load(dir))
        .hasMessageContaining("library file " + dir.resolve("bad.yaml"))
        .hasMessageContaining("entries[1].weight: expected a number, found \"heavy\"");
    Files.writeString(
        dir.resolve("bad.yaml"), "category: style\nentries:\n  - {text: x, weight: 3}\n");
    assertThatThrownBy(() -> PromptLibrary.load(dir))
        .hasMessageContaining("weight: expected 0.1 to 2, found 3.0");
    Files.writeString(dir.resolve("bad.yaml"), "name: x\n");
    assertThatThrownBy(() -> PromptLibrary.load(dir))
        .hasMessageContaining(
            "expected a 'category' file or a 'templates' file, found keys [name]");
  }
}
