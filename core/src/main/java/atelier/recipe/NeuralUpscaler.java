package atelier.recipe;

import atelier.AtelierHome;
import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.image.Resize;
import atelier.model.SessionSettings;
import atelier.upscale.UpscaleOptions;
import atelier.upscale.UpscalerStore;
import atelier.upscale.Upscaling;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * The recipe {@link Upscaler} backed by the installed super-resolution models: enlarges with the
 * network (repeated passes for large factors), then fits to the exact size with Lanczos. Opens the
 * model per call, so it is thread-safe.
 */
public final class NeuralUpscaler implements Upscaler {
  private final UpscalerStore store;
  private final SessionSettings settings;

  private NeuralUpscaler(UpscalerStore store, SessionSettings settings) {
    this.store = store;
    this.settings = settings;
  }

  /** The neural upscaler when one is installed in {@code home}, else {@link #LANCZOS}. */
  public static Upscaler orLanczos(AtelierHome home, SessionSettings settings) {
    UpscalerStore store = UpscalerStore.of(home);
    return store.ids().isEmpty() ? LANCZOS : new NeuralUpscaler(store, settings);
  }

  @Override
  public String name() {
    return "neural";
  }

  @Override
  public BufferedImage upscale(BufferedImage image, int width, int height, Resize.Fit fit) {
    double sx = (double) width / image.getWidth();
    double sy = (double) height / image.getHeight();
    double factor = fit == Resize.Fit.CONTAIN ? Math.min(sx, sy) : Math.max(sx, sy);
    if (factor <= 1.0) {
      return Resize.fit(image, width, height, fit);
    }
    int scale = Math.max(2, (int) Math.ceil(factor - 1e-9));
    Path model = store.resolve(null, scale);
    BufferedImage big;
    try (atelier.upscale.Upscaler up = atelier.upscale.Upscaler.open(model, settings)) {
      big =
          Upscaling.run(
                  up, image, UpscaleOptions.of(scale), ProgressListener.NONE, CancelToken.NONE)
              .image();
    }
    return Resize.fit(big, width, height, fit);
  }
}
