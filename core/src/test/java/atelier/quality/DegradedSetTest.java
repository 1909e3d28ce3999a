package atelier.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DegradedSet}: the training set that {@code quality dataset} writes. */
class DegradedSetTest {
  @TempDir Path dir;

  private Path sources() throws Exception {
    Path src = dir.resolve("src");
    Files.createDirectories(src);
    // Two variants of one artwork share a group; a third image is a group of its own.
    ImageIO.write(TestImages.painting(240, 200, 1), "png", src.resolve("sea__light.png").toFile());
    ImageIO.write(TestImages.painting(240, 200, 2), "png", src.resolve("sea__dark.png").toFile());
    ImageIO.write(TestImages.painting(120, 120, 3), "png", src.resolve("tile.png").toFile());
    Files.writeString(src.resolve("notes.png"), "not an image");
    return src;
  }

  @Test
  void writesGoodAverageAndPoorWithGroupsThatTrainingReads() throws Exception {
    Path src = sources();
    DegradedSet.Summary s = DegradedSet.write(List.of(src), dir.resolve("set"), 2, 7, 2);
    // 2 crops of each large image, 1 of the small square one; 3 images per crop.
    assertThat(s.images()).isEqualTo(3 * (2 + 2 + 1));
    assertThat(s.sources()).isEqualTo(3);
    assertThat(s.groups()).isEqualTo(2);
    assertThat(s.skipped())
        .singleElement()
        .satisfies(k -> assertThat(k.path().getFileName().toString()).isEqualTo("notes.png"));
    List<TrainingData.Item> items = TrainingData.load(dir.resolve("set/labels.csv"));
    assertThat(items).hasSize(15);
    assertThat(items.stream().filter(i -> i.label() == QualityLabel.POOR)).hasSize(5);
    assertThat(items.stream().map(TrainingData.Item::group).distinct())
        .containsExactlyInAnyOrder("sea", "tile.png");
    for (TrainingData.Item i : items) {
      assertThat(i.path()).isRegularFile();
      assertThat(i.path().getParent().getFileName().toString()).isEqualTo(i.label().id());
      assertThat(ImageIO.read(i.path().toFile()).getWidth()).isIn(120, 200);
    }
    // Average and poor images name their defect and severity.
    assertThat(
            items.stream()
                .filter(i -> i.label() == QualityLabel.AVERAGE)
                .map(i -> i.path().getFileName().toString()))
        .allMatch(n -> n.matches(".+-c\\d-[a-z]+-0\\.(2[5-9]|3\\d|4[0-5])\\.png"));
  }

  @Test
  void theSetDependsOnTheSeedOnlyNotOnThreads() throws Exception {
    Path src = sources();
    DegradedSet.write(List.of(src), dir.resolve("a"), 2, 7, 1);
    DegradedSet.write(List.of(src), dir.resolve("b"), 2, 7, 3);
    assertThat(Files.readString(dir.resolve("a/labels.csv")))
        .isEqualTo(Files.readString(dir.resolve("b/labels.csv")));
    for (String line : Files.readAllLines(dir.resolve("a/labels.csv")).subList(1, 16)) {
      String rel = line.substring(0, line.indexOf(','));
      assertThat(Files.mismatch(dir.resolve("a").resolve(rel), dir.resolve("b").resolve(rel)))
          .isEqualTo(-1);
    }
    DegradedSet.write(List.of(src), dir.resolve("c"), 2, 8, 1);
    assertThat(Files.readString(dir.resolve("c/labels.csv")))
        .isNotEqualTo(Files.readString(dir.resolve("a/labels.csv")));
  }

  @Test
  void degradeMakesTheSameImagesAsTheEvaluationDid() {
    // The bench evaluation drew: crops, then per crop mild, bad, mild severity, bad severity.
    Random a = new Random(3);
    List<DegradedSet.Entry> e = DegradedSet.degrade(TestImages.painting(600, 520, 4), 1, a);
    Random b = new Random(3);
    b.nextInt(600 - 512 + 1);
    b.nextInt(520 - 512 + 1);
    Degradation mild = Degradation.values()[b.nextInt(Degradation.values().length - 1)];
    Degradation bad = Degradation.values()[b.nextInt(Degradation.values().length)];
    assertThat(e).extracting(DegradedSet.Entry::defect).containsExactly(null, mild, bad);
    assertThat(e.get(1).severity()).isEqualTo(0.25 + 0.2 * b.nextDouble());
  }

  @Test
  void badRequestsWriteNothing() throws Exception {
    Path src = sources();
    Path out = dir.resolve("out");
    assertThatThrownBy(() -> DegradedSet.write(List.of(src), out, 0, 1, 1))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("--crops: expected 1 to 64 crops per image, found 0");
    assertThat(out).doesNotExist();
    Path empty = dir.resolve("empty");
    Files.createDirectories(empty);
    assertThatThrownBy(() -> DegradedSet.write(List.of(empty), out, 2, 1, 1))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith("images: expected good images (PNG, JPEG, BMP or GIF) to degrade");
    assertThat(out).doesNotExist();
    Path junk = dir.resolve("junk");
    Files.createDirectories(junk);
    Files.writeString(junk.resolve("x.png"), "not an image");
    assertThatThrownBy(() -> DegradedSet.write(List.of(junk), out, 2, 1, 1))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith("images: expected readable good images, found none (1 skipped: ");
    try (Stream<Path> left = Files.walk(out)) {
      assertThat(left.filter(Files::isRegularFile)).isEmpty();
    }
    DegradedSet.write(List.of(src), out, 1, 1, 1);
    String before = Files.readString(out.resolve("labels.csv"));
    assertThatThrownBy(() -> DegradedSet.write(List.of(src), out, 2, 9, 1))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "--out "
                + out
                + ": expected a new or empty folder, found a data set there (labels.csv); choose"
                + " another folder");
    assertThat(Files.readString(out.resolve("labels.csv"))).isEqualTo(before);
  }
}
