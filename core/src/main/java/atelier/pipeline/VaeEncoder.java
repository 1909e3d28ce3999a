package atelier.pipeline;

import atelier.ModelLoadException;
import atelier.diffusion.TorchGenerator;
import atelier.model.ElementType;
import atelier.model.NoiseInputRewriter;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Tensor;
import atelier.model.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The VAE encoder stage for image-to-image: image {@code [1, 3, H, W]} in [-1, 1] → a posterior
 * sample {@code [1, 4, H/8, W/8]} (not yet multiplied by the scaling factor).
 *
 * <p>Two exported forms (FORMATS.md): {@code latent_parameters} (mean ‖ logvar; Atelier samples
 * with the request's generator) and {@code latent_sample} (sampled inside the graph). For the
 * latter, the graph's random node is turned into an input at load ({@link NoiseInputRewriter}) so
 * the noise comes from the request's generator too — both forms then draw exactly what diffusers'
 * {@code DiagonalGaussianDistribution.sample(generator)} draws. Thread-safe; owns its session.
 */
public final class VaeEncoder implements AutoCloseable {
  private final OnnxModel model;
  private final boolean parameters;
  private final Optional<NoiseInputRewriter.Rewritten> noiseInput;

  private VaeEncoder(OnnxModel model, Optional<NoiseInputRewriter.Rewritten> noiseInput) {
    this.model = model;
    this.noiseInput = noiseInput;
    model.requireInput("sample", TextEncoder.FLOATS, 4);
    if (model.output("latent_parameters").isPresent()) {
      model.requireOutput("latent_parameters", TextEncoder.FLOATS, 4);
      parameters = true;
    } else if (model.output("latent_sample").isPresent()) {
      model.requireOutput("latent_sample", TextEncoder.FLOATS, 4);
      parameters = false;
    } else {
      throw new ModelLoadException(
          "vae_encoder ("
              + model.path()
              + "): expected an output 'latent_sample' or"
              + " 'latent_parameters', found "
              + model.outputs());
    }
  }

  /**
   * Opens {@code vae_encoder/model.onnx}; a graph that samples inside is rewritten so Atelier feeds
   * its noise.
   */
  public static VaeEncoder open(Path graph, SessionSettings settings) {
    OnnxModel plain = OnnxModel.open("vae_encoder", graph, settings);
    if (plain.output("latent_sample").isEmpty()) {
      return new VaeEncoder(plain, Optional.empty());
    }
    boolean fp16 =
        plain.input("sample").map(TensorSpec::type).orElse(ElementType.FLOAT32)
            == ElementType.FLOAT16;
    Optional<NoiseInputRewriter.Rewritten> rewritten;
    try {
      rewritten = NoiseInputRewriter.rewrite(Files.readAllBytes(graph), fp16);
    } catch (IOException | IllegalArgumentException e) {
      plain.close();
      throw new ModelLoadException(
          "vae_encoder ("
              + graph
              + "): could not read the graph to take over its random sampling: "
              + e.getMessage(),
          e);
    }
    if (rewritten.isEmpty()) {
      return new VaeEncoder(plain, Optional.empty());
    }
    plain.close();
    OnnxModel m = OnnxModel.open("vae_encoder", rewritten.get().model(), graph, settings);
    return new VaeEncoder(m, rewritten);
  }

  /** True when the graph returns mean ‖ logvar rather than a sample. */
  public boolean returnsParameters() {
    return parameters;
  }

  /** True when the graph sampled internally and Atelier now feeds that noise. */
  public boolean feedsNoise() {
    return noiseInput.isPresent();
  }

  /**
   * Encodes one image and samples the posterior with {@code generator} (one draw of {@code 4·h·w}
   * normals, as diffusers does). A {@code latent_sample} graph without a random node returns its
   * own output and draws nothing.
   *
   * @param image {@code [1, 3, H, W]} in [-1, 1]
   * @return the unscaled latent sample {@code [1, 4, H/8, W/8]}
   */
  public Tensor encode(Tensor image, TorchGenerator generator) {
    if (parameters) {
      Tensor p = model.run(Map.of("sample", image), "latent_parameters").get("latent_parameters");
      return sampleFromParameters(p, generator);
    }
    Map<String, Tensor> feed = new HashMap<>();
    feed.put("sample", image);
    if (noiseInput.isPresent()) {
      NoiseInputRewriter.Rewritten r = noiseInput.get();
      long[] latentShape = {1, 4, image.dim(2) / 8, image.dim(3) / 8};
      float[] noise = generator.randn(4 * (image.dim(2) / 8) * (image.dim(3) / 8));
      for (int i = 0; i < noise.length; i++) {
        noise[i] = r.mean() + r.scale() * noise[i];
      }
      feed.put(r.inputName(), Tensor.floats(noise, latentShape));
    }
    return model.run(feed, "latent_sample").get("latent_sample");
  }

  /** {@code z = mean + exp(0.5·clamp(logvar, -30, 20))·N(0,1)} (diffusers' DiagonalGaussian). */
  static Tensor sampleFromParameters(Tensor p, TorchGenerator generator) {
    int c = p.dim(1) / 2;
    int hw = p.dim(2) * p.dim(3);
    float[] params = p.floatData();
    float[] noise = generator.randn(c * hw);
    float[] z = new float[c * hw];
    for (int i = 0; i < c * hw; i++) {
      float mean = params[i];
      float logvar = Math.max(-30f, Math.min(20f, params[c * hw + i]));
      float std = (float) Math.exp(0.5f * logvar);
      z[i] = mean + std * noise[i];
    }
    return Tensor.floats(z, 1, c, p.dim(2), p.dim(3));
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
