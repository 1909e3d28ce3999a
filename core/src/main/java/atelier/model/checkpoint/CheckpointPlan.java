package atelier.model.checkpoint;

import atelier.BadRequestException;
import atelier.model.ModelFamily;
import atelier.model.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a single-file checkpoint is and how it converts: its family (told from its keys and shapes,
 * a {@code .yaml} beside it, or the user's {@code --family}), the template it fits, where each
 * template key is read (the checkpoint, or an external VAE file for the {@code first_stage_model.*}
 * keys), and the keys it has that no stage uses.
 *
 * <p>Everything is checked here, before a byte is written: missing keys and shapes that do not
 * match are one {@link BadRequestException} naming them. Immutable; the files stay open in the
 * caller's hands.
 *
 * @param checkpoint the checkpoint
 * @param vae an external VAE that replaces the checkpoint's, or null
 * @param template the architecture it converts to
 * @param family sd1, sd2 or sd2-v
 * @param familySource how the family was told (for the report)
 * @param used keys read from the checkpoint
 * @param ignored keys left out by rule (EMA copies, the noise schedule, SD 2.x's unused text layer)
 * @param unused other keys no stage reads, by name
 */
public record CheckpointPlan(
    SafeTensors checkpoint,
    SafeTensors vae,
    CheckpointTemplate template,
    ModelFamily family,
    String familySource,
    int used,
    int ignored,
    List<String> unused)
    implements ConversionPlan {

  static final String VAE_PREFIX = "first_stage_model.";
  private static final String UNET = "model.diffusion_model.";
  private static final String SD1_TEXT = "cond_stage_model.transformer.";
  private static final String SD2_TEXT = "cond_stage_model.model.";

  /** Keys of LDM checkpoints that describe training, not the model: never converted. */
  private static final Pattern IGNORED_BY_RULE =
      Pattern.compile(
          "model_ema\\..*|(betas|alphas_cumprod|alphas_cumprod_prev|sqrt_alphas_cumprod"
              + "|sqrt_one_minus_alphas_cumprod|log_one_minus_alphas_cumprod"
              + "|sqrt_recip_alphas_cumprod|sqrt_recipm1_alphas_cumprod|posterior_variance"
              + "|posterior_log_variance_clipped|posterior_mean_coef1|posterior_mean_coef2"
              + "|logvar|lvlb_weights)|cond_stage_model\\.transformer\\.text_model\\.embeddings"
              + "\\.position_ids|first_stage_model\\.loss\\..*");

  private static final Pattern V_PARAMETERIZATION =
      Pattern.compile("(?m)^\\s*parameterization:\\s*[\"']?v[\"']?\\s*(#.*)?$");

  /**
   * Inspects a checkpoint.
   *
   * @param family the user's {@code --family} (sd1, sd2, sd2-v), or null to tell it from the file
   * @param templates the architectures to choose from
   * @throws BadRequestException for another architecture, an undecidable family, missing keys or
   *     shapes that do not fit
   */
  public static CheckpointPlan inspect(
      SafeTensors checkpoint, SafeTensors vae, String family, List<CheckpointTemplate> templates) {
    Path file = checkpoint.file();
    Set<String> keys = checkpoint.tensors().keySet();
    refuseOtherArchitectures(file, keys);
    String detected = textFamily(file, keys);
    ModelFamily chosen;
    String source;
    if (family != null) {
      chosen = ModelFamily.lookup(family);
      if (chosen != ModelFamily.SD1 && chosen != ModelFamily.SD2 && chosen != ModelFamily.SD2_V) {
        throw new BadRequestException(
            "--family "
                + family
                + ": expected sd1, sd2 or sd2-v for a checkpoint, found "
                + family);
      }
      String fileFamily = chosen == ModelFamily.SD1 ? "sd1" : "sd2";
      if (!fileFamily.equals(detected)) {
        throw new BadRequestException(
            "--family "
                + family
                + ": "
                + file
                + " is "
                + describe(detected)
                + "; expected --family "
                + (detected.equals("sd1") ? "sd1" : "sd2 or sd2-v")
                + ", found "
                + family);
      }
      source = "--family";
    } else if (detected.equals("sd1")) {
      chosen = ModelFamily.SD1;
      source = "keys";
    } else {
      Path yaml = beside(file, ".yaml");
      if (Files.isRegularFile(yaml)) {
        chosen = vParameterization(yaml) ? ModelFamily.SD2_V : ModelFamily.SD2;
        source = yaml.getFileName().toString();
      } else if (metadataSaysV(checkpoint.metadata())) {
        chosen = ModelFamily.SD2_V;
        source = "metadata";
      } else {
        throw new BadRequestException(
            file
                + ": an SD 2.x checkpoint, which predicts either noise (the 512 px base models) or"
                + " v (the 768 px models), and neither the file nor a "
                + yaml.getFileName()
                + " beside it says which; expected --family sd2 or --family sd2-v, found neither");
      }
    }
    String familyTemplate = chosen == ModelFamily.SD1 ? "sd1" : "sd2";
    CheckpointTemplate best = null;
    int bestMatches = -1;
    for (CheckpointTemplate t : templates) {
      if (!t.family().equals(familyTemplate)) {
        continue;
      }
      int matches = 0;
      for (Map.Entry<String, long[]> k : t.keys().entrySet()) {
        SafeTensors.TensorInfo info = source(checkpoint, vae, k.getKey());
        if (info != null && info.elements() == elements(k.getValue())) {
          matches++;
        }
      }
      if (matches > bestMatches) {
        best = t;
        bestMatches = matches;
      }
    }
    if (best == null) {
      throw new BadRequestException(
          file + ": no conversion template for " + describe(familyTemplate) + " is installed");
    }
    checkKeys(file, checkpoint, vae, best);
    int used = 0;
    int ignored = 0;
    List<String> unused = new ArrayList<>();
    for (String k : keys) {
      boolean replacedByVae = vae != null && k.startsWith(VAE_PREFIX);
      if (best.keys().containsKey(k) && !replacedByVae) {
        used++;
      } else if (replacedByVae || IGNORED_BY_RULE.matcher(k).matches() || best.ignores(k)) {
        ignored++;
      } else {
        unused.add(k);
      }
    }
    if (vae != null) {
      for (String k : vae.tensors().keySet()) {
        if (best.keys().containsKey(vaeKeyOf(vae, k))) {
          used++;
        } else if (IGNORED_BY_RULE.matcher(k).matches() || k.startsWith("loss.")) {
          ignored++;
        } else {
          unused.add(vae.file().getFileName() + ":" + k);
        }
      }
    }
    return new CheckpointPlan(
        checkpoint, vae, best, chosen, source, used, ignored, List.copyOf(unused));
  }

  /** Where a template key is read: the external VAE for VAE keys when there is one. */
  static SafeTensors.TensorInfo source(SafeTensors checkpoint, SafeTensors vae, String key) {
    if (vae != null && key.startsWith(VAE_PREFIX)) {
      String bare = key.substring(VAE_PREFIX.length());
      return vae.contains(key) ? vae.info(key) : vae.contains(bare) ? vae.info(bare) : null;
    }
    return checkpoint.contains(key) ? checkpoint.info(key) : null;
  }

  @Override
  public Source locate(CheckpointTemplate.Weight w) {
    return new Source(fileOf(w.key()), keyIn(w.key()), w.rows());
  }

  /** The file a template key is read from. */
  SafeTensors fileOf(String key) {
    return vae != null && key.startsWith(VAE_PREFIX) ? vae : checkpoint;
  }

  /** The key to read in {@link #fileOf}'s file. */
  String keyIn(String key) {
    if (vae != null && key.startsWith(VAE_PREFIX) && !vae.contains(key)) {
      return key.substring(VAE_PREFIX.length());
    }
    return key;
  }

  private static String vaeKeyOf(SafeTensors vae, String k) {
    return k.startsWith(VAE_PREFIX) ? k : VAE_PREFIX + k;
  }

  private static void checkKeys(
      Path file, SafeTensors checkpoint, SafeTensors vae, CheckpointTemplate t) {
    List<String> missing = new ArrayList<>();
    List<String> misshapen = new ArrayList<>();
    for (Map.Entry<String, long[]> k : t.keys().entrySet()) {
      SafeTensors.TensorInfo info = source(checkpoint, vae, k.getKey());
      if (info == null) {
        missing.add(k.getKey());
      } else if (info.elements() != elements(k.getValue())) {
        misshapen.add(
            k.getKey()
                + " (expected "
                + Arrays.toString(k.getValue())
                + ", found "
                + info.shapeText()
                + ")");
      } else if (!info.dtype().isFloat()) {
        misshapen.add(k.getKey() + " (expected a float tensor, found " + info.dtype() + ")");
      }
    }
    if (missing.isEmpty() && misshapen.isEmpty()) {
      return;
    }
    String what = describe(t.family()) + " (" + t.description() + ")";
    if (!misshapen.isEmpty()) {
      String hint =
          misshapen.get(0).startsWith(UNET + "input_blocks.0.0.weight")
                  && misshapen.get(0).contains(", 9, 3, 3]")
              ? "; an inpainting checkpoint (9 UNet input channels) is not supported"
              : "";
      throw new BadRequestException(
          file
              + ": expected the shapes of "
              + what
              + ", found "
              + misshapen.size()
              + " that differ: "
              + first(misshapen, 3)
              + hint);
    }
    throw new BadRequestException(
        file
            + ": expected every weight of "
            + what
            + ", found "
            + missing.size()
            + " of "
            + t.keys().size()
            + " missing: "
            + first(missing, 8)
            + (vae == null ? "" : " (VAE keys read from " + vae.file() + ")"));
  }

  private static String first(List<String> items, int shown) {
    int n = Math.min(shown, items.size());
    return String.join(", ", items.subList(0, n))
        + (items.size() > n ? " and " + (items.size() - n) + " more" : "");
  }

  private static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** SDXL, SD3 and Flux files named as such, and LoRA files sent elsewhere. */
  private static void refuseOtherArchitectures(Path file, Set<String> keys) {
    String other = null;
    for (String k : keys) {
      if (k.startsWith("conditioner.embedders.")) {
        other = "a Stable Diffusion XL checkpoint (conditioner.embedders.*)";
      } else if (k.contains("joint_blocks.")) {
        other = "a Stable Diffusion 3 checkpoint (joint_blocks.*)";
      } else if (k.startsWith("double_blocks.") || k.contains(".double_blocks.")) {
        other = "a Flux checkpoint (double_blocks.*)";
      } else if (k.startsWith("lora_") || k.contains(".lora_down.") || k.contains(".lora_A.")) {
        throw new BadRequestException(
            file
                + ": a LoRA file ("
                + k
                + "), not a checkpoint; expected model.diffusion_model.* keys, found LoRA keys"
                + " (import it with --kind lora)");
      }
      if (other != null) {
        throw new BadRequestException(
            file
                + ": "
                + other
                + "; expected a Stable Diffusion 1.x or 2.x checkpoint (SDXL, SD3 and Flux"
                + " checkpoints cannot be converted)");
      }
    }
  }

  private static String textFamily(Path file, Set<String> keys) {
    boolean unet = false;
    boolean sd1 = false;
    boolean sd2 = false;
    for (String k : keys) {
      unet |= k.startsWith(UNET);
      sd1 |= k.startsWith(SD1_TEXT);
      sd2 |= k.startsWith(SD2_TEXT);
    }
    if (!unet) {
      String sample = keys.isEmpty() ? "no tensors" : "keys such as " + keys.iterator().next();
      throw new BadRequestException(
          file
              + ": expected a single-file Stable Diffusion checkpoint (model.diffusion_model.*,"
              + " first_stage_model.*, cond_stage_model.* keys), found "
              + sample);
    }
    if (sd1 == sd2) {
      throw new BadRequestException(
          file
              + ": expected the text encoder of SD 1.x (cond_stage_model.transformer.*) or SD 2.x"
              + " (cond_stage_model.model.*), found "
              + (sd1 ? "both" : "neither"));
    }
    return sd1 ? "sd1" : "sd2";
  }

  private static String describe(String family) {
    return family.equals("sd1")
        ? "an SD 1.x checkpoint (CLIP ViT-L text encoder, cond_stage_model.transformer.*)"
        : "an SD 2.x checkpoint (OpenCLIP ViT-H text encoder, cond_stage_model.model.*)";
  }

  static Path beside(Path file, String extension) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return file.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + extension);
  }

  private static boolean vParameterization(Path yaml) {
    try {
      return V_PARAMETERIZATION.matcher(Files.readString(yaml)).find();
    } catch (IOException e) {
      throw new BadRequestException(yaml + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }

  private static boolean metadataSaysV(Map<String, String> metadata) {
    for (String k : List.of("modelspec.prediction_type", "prediction_type", "parameterization")) {
      String v = metadata.get(k);
      if (v != null && v.toLowerCase(Locale.ROOT).startsWith("v")) {
        return true;
      }
    }
    return false;
  }
}
