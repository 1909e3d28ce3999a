package atelier.model.checkpoint;

import atelier.model.ModelFamily;
import atelier.model.SafeTensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A checked conversion of Stable Diffusion weights into a template's model folder: the template,
 * the family, where each template weight is read, and what was left out. Made by {@link
 * CheckpointPlan} (a single-file checkpoint) or {@link DiffusersFolder} (a diffusers-format folder)
 * once every weight is known to be present with the right size; written by {@link
 * CheckpointConverter}.
 *
 * <p>Immutable; the files it reads stay open in the caller's hands.
 */
public interface ConversionPlan {
  /** The architecture it converts to. */
  CheckpointTemplate template();

  /** sd1, sd2 or sd2-v. */
  ModelFamily family();

  /** How the family was told (for the report and the manifest). */
  String familySource();

  /** Source tensors read. */
  int used();

  /** Source tensors left out by rule (EMA copies, the noise schedule, unused layers). */
  int ignored();

  /** Other source tensors no stage reads, by name. */
  List<String> unused();

  /** Where a template weight's values are read. */
  Source locate(CheckpointTemplate.Weight weight);

  /**
   * Files of the source that replace the template's small files in the model folder (model-folder
   * path → file), e.g. a diffusers folder's own tokenizer and scheduler config.
   */
  default Map<String, Path> copied() {
    return Map.of();
  }

  /**
   * One source tensor.
   *
   * @param file the safetensors file holding it
   * @param key its name in that file
   * @param rows the first and last-plus-one row it takes, or null for all
   */
  record Source(SafeTensors file, String key, int[] rows) {}
}
