package atelier.pipeline;

import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import java.nio.file.Path;
import java.util.Map;

/**
 * The VAE decoder stage: unscaled latents {@code [1, 4, h, w]} → image {@code [1, 3, 8h, 8w]} in
 * roughly [-1, 1]. Thread-safe; owns its session.
 */
public final class VaeDecoder implements AutoCloseable {
  private final OnnxModel model;

  public VaeDecoder(OnnxModel model) {
    this.model = model;
    model.requireInput("latent_sample", TextEncoder.FLOATS, 4);
    model.requireOutput("sample", TextEncoder.FLOATS, 4);
  }

  /** Opens {@code vae_decoder/model.onnx}. */
  public static VaeDecoder open(Path graph, SessionSettings settings) {
    return new VaeDecoder(OnnxModel.open("vae_decoder", graph, settings));
  }

  /**
   * Decodes latents already divided by the VAE scaling factor.
   *
   * @param latents {@code [batch, 4, h, w]}
   * @return {@code [batch, 3, H, W]}
   */
  public Tensor decode(Tensor latents) {
    return model.run(Map.of("latent_sample", latents), "sample").get("sample");
  }

  /** The graph, for inspection. */
  public OnnxModel model() {
    return model;
  }

  @Override
  public void close() {
    model.close();
  }
}
