package atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.ModelLoadException;
import atelier.testing.TestPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model resolution as the CLI does it, without a network: folders, ids, the catalog default. */
class ModelResolverTest {

  @Test
  void aFolderIsUsedAsItIsAndTheEnvironmentNamesTheDefault(@TempDir Path home) {
    Path tiny = TestPaths.tinyModel("sd15-optimum-1.22");
    ModelResolver r =
        new ModelResolver(
            AtelierHome.at(home),
            Map.of("ATELIER_MODEL", tiny.toString()),
            ModelResolver.Downloads.of(false));
    assertThat(r.resolve(tiny.toString(), null)).isEqualTo(tiny);
    assertThat(r.resolve(null, null)).isEqualTo(tiny);
    assertThat(r.installedDefault()).isEqualTo(tiny);
  }

  @Test
  void aMissingCatalogModelIsNotDownloadedWithoutConsent(@TempDir Path home) {
    ModelResolver none =
        new ModelResolver(AtelierHome.at(home), Map.of(), ModelResolver.Downloads.of(false));
    assertThatThrownBy(() -> none.resolve(null, null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith("model lcm-dreamshaper-v7 is not installed; download it from ")
        .hasMessageEndingWith(
            "with: atelier models pull lcm-dreamshaper-v7, or pass --yes to download it now");
    List<String> asked = new ArrayList<>();
    ModelResolver declined =
        new ModelResolver(
            AtelierHome.at(home),
            Map.of(),
            new ModelResolver.Downloads(
                false,
                (entry, why, host) -> asked.add(entry.id() + " " + why) && false,
                null,
                null));
    assertThatThrownBy(() -> declined.resolve("sd15-onnx", null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(
            "model sd15-onnx is not installed; not downloaded (run: atelier models pull"
                + " sd15-onnx)");
    assertThat(asked).containsExactly("sd15-onnx is not installed");
    assertThatThrownBy(none::installedDefault)
        .isInstanceOf(BadRequestException.class)
        .hasMessageEndingWith(
            "found the default lcm-dreamshaper-v7 not installed (run: atelier models pull"
                + " lcm-dreamshaper-v7)");
  }
}
