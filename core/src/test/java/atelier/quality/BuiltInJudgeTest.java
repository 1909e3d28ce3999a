package atelier.quality;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import atelier.ModelLoadException;
import atelier.model.SessionSettings;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in judge {@code quality:default}: it ships in the jar, loads, needs no CLIP, ranks a
 * real photo above degraded copies of it, and gives way to {@code technical} with a note when it
 * cannot be loaded.
 */
class BuiltInJudgeTest {
  static BufferedImage photo;

  @TempDir Path home;

  @BeforeAll
  static void readPhoto() throws Exception {
    // A real photo the judge never trained on (resources/quality/photo/README.md).
    photo =
        ImageIO.read(
            Path.of("src/test/resources/quality/photo/seeding-crop.jpg").toAbsolutePath().toFile());
  }

  Scorers.Sources sources() {
    return new Scorers.Sources(AtelierHome.at(home), null, null, SessionSettings.CPU);
  }

  @Test
  void shipsAsAResourceAndLoadsWithTechnicalFeaturesOnly() {
    QualityModel m = QualityModel.builtIn();
    assertThat(m.usesClip()).isFalse();
    assertThat(QualityFeatures.TECHNICAL).containsAll(m.features());
    assertThat(m.features()).isNotEmpty();
    assertThat(QualityModel.class.getResource("/atelier/quality/default.md"))
        .as("the recipe and data provenance beside the model")
        .isNotNull();
    assertThat(Scorers.missing(Scorers.DEFAULT, sources())).isEmpty();
  }

  @Test
  void ranksARealPhotoAboveItsDegradedCopies() {
    try (Scorers s = Scorers.open(List.of(Scorers.DEFAULT), sources())) {
      assertThat(s.notes()).isEmpty();
      Scorer judge = s.list().get(0);
      assertThat(judge.name()).isEqualTo("quality:default");
      double good = judge.score(ScoringInput.of(photo)).overall();
      Degradation[] defects = {
        Degradation.BLUR,
        Degradation.NOISE,
        Degradation.JPEG,
        Degradation.BANDING,
        Degradation.WASHOUT,
        Degradation.OVEREXPOSE,
        Degradation.BLACK
      };
      for (Degradation d : defects) {
        BufferedImage bad = d.apply(photo, 0.9, new Random(5));
        ScorerResult r = judge.score(ScoringInput.of(bad));
        assertThat(r.overall()).as(d.id() + ": " + r.scores().get(0).reason()).isLessThan(good);
      }
    }
  }

  @Test
  void fallsBackToTechnicalWithANoteWhenTheResourceCannotBeLoaded() {
    Object missing = QualityModel.loadResource("/atelier/quality/no-such-model.tribuo");
    assertThat(missing).isInstanceOf(ModelLoadException.class);
    ModelLoadException e = (ModelLoadException) missing;
    assertThat(e.getMessage())
        .isEqualTo(
            "quality:default: expected the built-in model at classpath"
                + " /atelier/quality/no-such-model.tribuo, found none");
    try (Scorers s =
        Scorers.open(
            List.of(Scorers.DEFAULT, "technical"),
            sources(),
            () -> {
              throw e;
            })) {
      assertThat(s.list()).extracting(Scorer::name).containsExactly("technical", "technical");
      assertThat(s.notes()).containsExactly(e.getMessage() + "; scoring with technical instead");
    }
    assertThat(
            Scorers.missing(
                Scorers.DEFAULT,
                sources(),
                () -> {
                  throw e;
                }))
        .contains(e.getMessage());
  }

  @Test
  void aResourceThatIsNotAModelIsAModelLoadError() {
    Object broken = QualityModel.loadResource("/quality/photo/README.md");
    assertThat(broken).isInstanceOf(ModelLoadException.class);
    assertThat(((ModelLoadException) broken).getMessage())
        .startsWith(
            "quality:default: expected a Tribuo model at classpath /quality/photo/README.md,"
                + " could not read it");
  }
}
