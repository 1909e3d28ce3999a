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
    int side = folder.unetSampleSize().map(s -> s * 8).orElse(family.defaultSize());
    int[] fixed = unet.fixedLatentSize();
    int width = fixed[1] > 0 ? fixed[1] * 8 : side;
    int height = fixed[0] > 0 ? fixed[0] * 8 : side;
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
        unet.fixedSequenceLength() > 0 ? 1 : Integer.MAX_VALUE);
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
