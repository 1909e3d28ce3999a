package atelier.pipeline;

import atelier.ModelLoadException;
import atelier.model.ElementType;
import atelier.model.ExportVariant;
import atelier.model.ModelFamily;
import atelier.model.ModelFolder;
import atelier.text.ClipTokenizer;
import java.util.Locale;
import java.util.Map;

/**
 * Tells family and exporter from the folder and from the sessions' declared inputs and outputs
 * (never from the pipeline class name, which varies by exporter), and derives the defaults.
 */
final class ModelDetection {
  private static final Map<String, String> SCHEDULER_BY_CLASS =
      Map.of(
          "PNDMScheduler", "pndm",
          "DDIMScheduler", "ddim",
          "EulerDiscreteScheduler", "euler",
          "EulerAncestralDiscreteScheduler", "euler-a",
          "DPMSolverMultistepScheduler", "dpm++2m",
          "LCMScheduler", "lcm");

  private ModelDetection() {}

  static ModelInfo describe(
      ModelFolder folder, ClipTokenizer tokenizer, TextEncoder text, Unet unet) {
    checkWidths(folder, text, unet);
    ModelFamily family = family(folder, tokenizer, text, unet);
    ExportVariant variant = variant(folder, text, unet);
    int multiple = sizeMultiple(folder);
    int side = folder.unetSampleSize().map(s -> configSide(folder, s, multiple)).orElse(0);
    if (side == 0) {
      side = family.defaultSize();
    }
    int[] fixed = unet.fixedLatentSize();
    int width = fixed[1] > 0 ? graphSide(folder, "width", fixed[1]) : side;
    int height = fixed[0] > 0 ? graphSide(folder, "height", fixed[0]) : side;
    String scheduler = SCHEDULER_BY_CLASS.getOrDefault(folder.schedulerClass(), "euler");
    if (scheduler.equals("dpm++2m")
        && folder.schedulerConfig().path("use_karras_sigmas").asBoolean(false)) {
      scheduler = "dpm++2m-karras";
    }
    return new ModelInfo(
        folder.id(),
        folder.root(),
        family,
        variant,
        width,
        height,
        family.defaultSteps(),
        family.defaultGuidance(),
        scheduler,
        folder.vaeScalingFactor().orElse(family.defaultVaeScalingFactor()),
        folder.hasGraph("vae_encoder"),
        unet.fixedSequenceLength() > 0 ? 1 : Integer.MAX_VALUE,
        multiple,
        fixed[1] > 0 ? width : 0,
        fixed[0] > 0 ? height : 0,
        inChannels(folder, unet));
  }

  /**
   * The UNet's sample channels: the graph's declared channel axis, else (a dynamic axis, as
   * diffusers' script exports) {@code unet/config.json}'s {@code in_channels}, else 4. 9 is an
   * inpainting UNet; anything but 4 or 9 is refused.
   */
  static int inChannels(ModelFolder folder, Unet unet) {
    int declared = unet.declaredSampleChannels();
    int channels = declared > 0 ? declared : folder.unetConfig().path("in_channels").asInt(4);
    if (channels != 4 && channels != 9) {
      throw new ModelLoadException(
          "model "
              + folder.root()
              + ": the UNet's sample has "
              + channels
              + " channels; expected 4 (a text-to-image UNet) or 9 (an inpainting UNet)");
    }
    return channels;
  }

  /** Latent sides beyond this make images past {@link GenerationRequest#MAX_SIDE}. */
  private static final int MAX_LATENT = GenerationRequest.MAX_SIDE / 8;

  /**
   * The multiple of pixels each image side must be: 8 (the VAE) times 2 for every time the UNet
   * halves the latents, whose skip connections must then concatenate equal sizes. From {@code
   * unet/config.json}; exports without one (diffusers' script, Olive) are taken to have Stable
   * Diffusion's four down blocks, so 64.
   */
  static int sizeMultiple(ModelFolder folder) {
    int halvings = folder.unetDownsamplings().orElse(3);
    if (halvings > 7) {
      throw new ModelLoadException(
          "model "
              + folder.root()
              + ": unet/config.json block_out_channels: expected at most 8 blocks (images a"
              + " multiple of 1024 pixels at most), found "
              + (halvings + 1));
    }
    return 8 << halvings;
  }

  private static int configSide(ModelFolder folder, int latent, int multiple) {
    if (latent < 1 || latent > MAX_LATENT || (latent * 8) % multiple != 0) {
      throw new ModelLoadException(
          "model "
              + folder.root()
              + ": unet/config.json sample_size: expected a latent side from "
              + multiple / 8
              + " to "
              + MAX_LATENT
              + " that is a multiple of "
              + multiple / 8
              + " (images up to "
              + GenerationRequest.MAX_SIDE
              + " pixels, a multiple of "
              + multiple
              + "), found "
              + latent);
    }
    return latent * 8;
  }

  private static int graphSide(ModelFolder folder, String axis, long latent) {
    if (latent > MAX_LATENT) {
      throw new ModelLoadException(
          "model "
              + folder.root()
              + ": unet/model.onnx declares a fixed latent "
              + axis
              + " of "
              + latent
              + "; expected at most "
              + MAX_LATENT
              + " (images up to "
              + GenerationRequest.MAX_SIDE
              + " pixels)");
    }
    return (int) latent * 8;
  }

  private static void checkWidths(ModelFolder folder, TextEncoder text, Unet unet) {
    int t = text.declaredHiddenSize();
    int u = unet.declaredHiddenSize();
    if (t > 0 && u > 0 && t != u) {
      throw new ModelLoadException(
          "model "
              + folder.root()
              + ": the text encoder's hidden size "
              + t
              + " does not match the UNet's encoder_hidden_states width "
              + u
              + " (stages from different models?)");
    }
  }

  static ModelFamily family(
      ModelFolder folder, ClipTokenizer tokenizer, TextEncoder text, Unet unet) {
    String cls = folder.schedulerClass();
    if (unet.takesTimestepCond() || cls.equals("LCMScheduler")) {
      return ModelFamily.LCM;
    }
    String prediction = folder.schedulerText("prediction_type").orElse("epsilon");
    if (prediction.equals("v_prediction")) {
      return ModelFamily.SD2_V;
    }
    String spacing = folder.schedulerText("timestep_spacing").orElse("");
    if (spacing.equals("trailing") && cls.toLowerCase(Locale.ROOT).startsWith("euler")) {
      return ModelFamily.TURBO;
    }
    boolean sd2Tokenizer = "!".equals(tokenizer.token(tokenizer.padId()));
    if (sd2Tokenizer || text.declaredHiddenSize() == 1024) {
      return ModelFamily.SD2;
    }
    return ModelFamily.SD1;
  }

  static ExportVariant variant(ModelFolder folder, TextEncoder text, Unet unet) {
    if (unet.floatType() == ElementType.FLOAT16) {
      return ExportVariant.OLIVE_FP16;
    }
    // Optimum 1.24 changed both at once; the VAE encoder's output name is not needed to tell.
    if (text.idType() == ElementType.INT64 || unet.timestepRank() == 0) {
      return ExportVariant.OPTIMUM;
    }
    if (!folder.unetConfig().isMissingNode()) {
      return ExportVariant.OPTIMUM_LEGACY;
    }
    return ExportVariant.DIFFUSERS_SCRIPT;
  }
}
