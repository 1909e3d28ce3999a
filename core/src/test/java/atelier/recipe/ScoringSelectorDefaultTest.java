package atelier.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import atelier.model.SessionSettings;
import atelier.quality.Scorers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recipes that keep the best images rank them with the built-in judge unless they name scorers. */
class ScoringSelectorDefaultTest {
  @Test
  void ranksWithTheBuiltInJudgeWhenTheRecipeNamesNoScorer(@TempDir Path home) {
    ScoringSelector s =
        new ScoringSelector(
            new Scorers.Sources(AtelierHome.at(home), null, null, SessionSettings.CPU));
    ScoringSelector.Plan plan = s.plan(new Recipe.Select(Recipe.Select.Keep.BEST, 1, null));
    assertThat(plan.names()).containsExactly("quality:default");
    assertThat(plan.note()).isNull();
    assertThat(s.plan(new Recipe.Select(Recipe.Select.Keep.BEST, 1, "technical")).names())
        .containsExactly("technical");
  }
}
