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
 * network (repeated passes for large factors), then fits to the exact size with Lanczos. The model
 * is chosen as {@code generate --upscale} chooses it ({@link UpscalerStore#resolve}: esrgan-thick
 * first when installed). Opens the model per call, so it is thread-safe.
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

  /**
   * The upscaler for a recipe's {@code upscale.method}: {@link #LANCZOS} for {@code lanczos}, else
   * {@link #orLanczos}.
   */
  public static Upscaler forMethod(String method, AtelierHome home, SessionSettings settings) {
    return "lanczos".equals(method) ? LANCZOS : orLanczos(home, settings);
  }

  @Override
  public String name() {
    return "super-resolution (installed: " + String.join(", ", store.ids()) + ")";
  }

  @Override
  public Result upscale(
      BufferedImage image,
      int width,
      int height,
      Resize.Fit fit,
      ProgressListener listener,
      CancelToken cancel) {
    double sx = (double) width / image.getWidth();
    double sy = (double) height / image.getHeight();
    double factor = fit == Resize.Fit.CONTAIN ? Math.min(sx, sy) : Math.max(sx, sy);
    if (factor <= 1.0) {
      return new Result(Resize.fit(image, width, height, fit), "lanczos");
    }
    // Past 16× (the most UpscaleOptions takes) the network goes to 16× and Lanczos does the rest.
    int scale = Math.min(16, Math.max(2, (int) Math.ceil(factor - 1e-9)));
    Path model = store.resolve(null, scale);
    BufferedImage big;
    String id;
    try (atelier.upscale.Upscaler up = atelier.upscale.Upscaler.open(model, settings)) {
      id = up.id();
      big = Upscaling.run(up, image, UpscaleOptions.of(scale), listener, cancel).image();
    }
    return new Result(Resize.fit(big, width, height, fit), id);
  }
}
