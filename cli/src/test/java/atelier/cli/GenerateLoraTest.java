package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.model.SafeTensors.DType;
import atelier.model.SafeTensorsWriter;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.ImageRecord;
import atelier.testing.TestPaths;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code generate --lora} and {@code <lora:name:w>} end to end on the tiny SD 1.x model. */
class GenerateLoraTest {
  static final String MODEL = TestPaths.tinyModel("sd15-optimum-1.22").toString();
  static final Path LORA =
      TestPaths.repoRoot().resolve("core/src/test/resources/lora/tiny-sd15.safetensors");

  static CliRun generate(Path out, String prompt, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "generate",
                prompt,
                "--model",
                MODEL,
                "--steps",
                "2",
                "--seed",
                "5",
                "--out",
                out.toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  static boolean samePixels(Path a, Path b) throws Exception {
    BufferedImage x = ImageIO.read(a.toFile());
    BufferedImage y = ImageIO.read(b.toFile());
    for (int j = 0; j < x.getHeight(); j++) {
      for (int i = 0; i < x.getWidth(); i++) {
        if (x.getRGB(i, j) != y.getRGB(i, j)) {
          return false;
        }
      }
    }
    return true;
  }

  @Test
  void aLoraChangesTheImageIsRecordedAndReappliedFromTheRecord(@TempDir Path dir) throws Exception {
    Path plain = dir.resolve("plain.png");
    assertThat(generate(plain, "a cat").exitCode()).isZero();
    Path styled = dir.resolve("styled.png");
    CliRun run = generate(styled, "a cat", "--lora", LORA + ":0.8");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("lora tiny-sd15: 76 of 76 modules matched");
    assertThat(samePixels(plain, styled)).isFalse();

    ImageRecord r = ArtworkPng.read(styled);
    assertThat(r.settings().prompt()).isEqualTo("a cat <lora:" + LORA + ":0.8>");
    assertThat(r.model().loras()).hasSize(1);
    ImageRecordLora l = new ImageRecordLora(r);
    assertThat(l.hash()).hasSize(12);
    assertThat(ArtworkPng.texts(styled).get("parameters"))
        .contains("Lora hashes: \"tiny-sd15: " + l.hash() + "\"");

    Path again = dir.resolve("again.png");
    CliRun rerun = CliRun.of("generate", "--from", styled.toString(), "--out", again.toString());
    assertThat(rerun.exitCode()).as(rerun.err()).isZero();
    assertThat(samePixels(styled, again)).isTrue();
  }

  @Test
  void aPromptTagWithWeightZeroGivesThePlainImage(@TempDir Path dir) throws Exception {
    Path plain = dir.resolve("plain.png");
    assertThat(generate(plain, "a cat").exitCode()).isZero();
    Path tagged = dir.resolve("tagged.png");
    CliRun run = generate(tagged, "a cat <lora:" + LORA + ":0>");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(samePixels(plain, tagged)).isTrue();
  }

  @Test
  void anUnknownLoraNameIsABadRequestAndWritesNothing(@TempDir Path dir) {
    Path out = dir.resolve("x.png");
    CliRun run = generate(out, "a cat <lora:nosuchstyle:0.7>");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "lora nosuchstyle: expected a .safetensors file or an installed LoRA (atelier models"
                + " import FILE --kind lora), found neither");
    assertThat(out).doesNotExist();
  }

  @Test
  void aLoraForAnotherArchitectureIsABadRequest(@TempDir Path dir) throws Exception {
    SafeTensorsWriter w = new SafeTensorsWriter();
    String k = "lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q";
    w.add(k + ".lora_down.weight", DType.F32, new long[] {4, 640}, new float[4 * 640]);
    w.add(k + ".lora_up.weight", DType.F32, new long[] {640, 4}, new float[4 * 640]);
    Path sdxl = dir.resolve("sdxl-style.safetensors");
    w.write(sdxl);
    Path out = dir.resolve("x.png");
    CliRun run = generate(out, "a cat", "--lora", sdxl.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("found only 0 of 1 modules matching").doesNotContain("\tat ");
    assertThat(out).doesNotExist();
  }

  @Test
  void aWeightThatIsNotANumberIsABadRequest(@TempDir Path dir) {
    CliRun run = generate(dir.resolve("x.png"), "a cat <lora:style:strong>");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("prompt: <lora:style:strong> expected <lora:NAME:WEIGHT> with a number");
  }

  @Test
  void anImportedLoraIsListedAndFoundByName(@TempDir Path dir) throws Exception {
    String home = dir.resolve("home").toString();
    CliRun imported =
        CliRun.of("models", "import", LORA.toString(), "--kind", "lora", "--home", home);
    assertThat(imported.exitCode()).as(imported.err()).isZero();
    assertThat(imported.out()).contains("imported LoRA " + LORA + " as ");
    assertThat(CliRun.of("models", "list", "--home", home).out())
        .containsPattern("tiny-sd15 +lora +159 kB +installed");

    Path byFile = dir.resolve("file.png");
    assertThat(generate(byFile, "a cat", "--lora", LORA + ":0.8", "--home", home).exitCode())
        .isZero();
    Path byName = dir.resolve("name.png");
    CliRun run = generate(byName, "a cat <lora:tiny-sd15:0.8>", "--home", home);
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(samePixels(byFile, byName)).isTrue();

    CliRun again = CliRun.of("models", "import", LORA.toString(), "--kind", "lora", "--home", home);
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains("lora tiny-sd15: expected a new name, found one installed");
    Path notLora = Files.writeString(dir.resolve("notes.safetensors"), "hello");
    CliRun bad =
        CliRun.of("models", "import", notLora.toString(), "--kind", "lora", "--home", home);
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains(notLora.toString());
  }

  /** The one LoRA of a record. */
  record ImageRecordLora(String hash) {
    ImageRecordLora(ImageRecord r) {
      this(r.model().loras().get(0).hash());
    }
  }

  static {
    assert Files.exists(LORA);
  }
}
