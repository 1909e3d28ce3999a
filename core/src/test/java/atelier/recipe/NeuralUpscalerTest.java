package atelier.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import atelier.CancelToken;
import atelier.Progress;
import atelier.ProgressListener;
import atelier.image.Resize;
import atelier.model.SessionSettings;
import atelier.testing.Golden;
import atelier.testing.TinyUpscaler;
import atelier.upscale.UpscalerJsPackages;
import atelier.upscale.UpscalerPackage;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeuralUpscalerTest {

  @Test
  void fallsBackToLanczosWhenNoModelIsInstalled(@TempDir Path home) {
    assertThat(NeuralUpscaler.orLanczos(AtelierHome.at(home), SessionSettings.CPU))
        .isSameAs(Upscaler.LANCZOS);
  }

  @Test
  void aLanczosMethodUsesLanczosEvenWithANetworkInstalled(@TempDir Path dir) throws Exception {
    AtelierHome home = AtelierHome.at(dir);
    TinyUpscaler.install(home);
    assertThat(NeuralUpscaler.forMethod("lanczos", home, SessionSettings.CPU))
        .isSameAs(Upscaler.LANCZOS);
    assertThat(NeuralUpscaler.forMethod("auto", home, SessionSettings.CPU).name())
        .contains(TinyUpscaler.ID);
  }

  @Test
  void enlargesWithTheInstalledNetworkToTheExactSize(@TempDir Path dir) throws Exception {
    AtelierHome home = AtelierHome.at(dir);
    UpscalerPackage.importFrom(UpscalerJsPackages.require("slim"), home.models());
    Upscaler up = NeuralUpscaler.orLanczos(home, SessionSettings.CPU);
    assertThat(up.name()).contains("esrgan-slim");
    BufferedImage in = ImageIO.read(Golden.dir().resolve("basemap-64.png").toFile());
    List<Progress> tiles = new ArrayList<>();
    Upscaler.Result r = up.upscale(in, 300, 150, Resize.Fit.COVER, tiles::add, CancelToken.NONE);
    BufferedImage out = r.image();
    assertThat(r.upscaler()).startsWith("esrgan-slim-x");
    assertThat(tiles).isNotEmpty().allMatch(p -> p.stage() == Progress.Stage.UPSCALE);
    assertThat(out.getWidth()).isEqualTo(300);
    assertThat(out.getHeight()).isEqualTo(150);
    BufferedImage lanczos =
        Upscaler.LANCZOS
            .upscale(in, 300, 150, Resize.Fit.COVER, ProgressListener.NONE, CancelToken.NONE)
            .image();
    assertThat(out.getRGB(0, 0, 300, 150, null, 0, 300))
        .isNotEqualTo(lanczos.getRGB(0, 0, 300, 150, null, 0, 300));
  }
}
