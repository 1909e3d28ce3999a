package atelier.recipe;

import atelier.model.ModelKind;
import atelier.model.ModelStore;
import atelier.pipeline.Artwork;
import atelier.pipeline.ControlInput;
import atelier.pipeline.ControlPreprocessor;
import atelier.pipeline.Controls;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.ImageRecord;
import atelier.pipeline.InitImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a recipe's {@link Recipe.Control} applies in one installation: with an installed ControlNet
 * whose id contains the recipe's word, a job's basemap (preprocessed) becomes the control image and
 * the job runs text-to-image under it; without one the job stays image-to-image. Either way each
 * output's record gets a note saying which path was taken. Immutable.
 *
 * @param control the recipe's section
 * @param id the installed ControlNet's id, or null when none matched
 * @param path its folder, or null
 */
public record RecipeControl(Recipe.Control control, String id, Path path) {

  /** The ControlNet a recipe's section finds in a store (ids in order; the first match). */
  public static RecipeControl find(Recipe.Control control, ModelStore store) {
    String word = control.net().toLowerCase(Locale.ROOT);
    Optional<ModelStore.StoredModel> hit =
        store.list().stream()
            .filter(m -> m.state() == ModelStore.State.READY)
            .filter(m -> m.manifest() != null && m.manifest().kind() == ModelKind.CONTROLNET)
            .filter(m -> m.id().toLowerCase(Locale.ROOT).contains(word))
            .min(Comparator.comparing(ModelStore.StoredModel::id));
    return new RecipeControl(
        control,
        hit.map(ModelStore.StoredModel::id).orElse(null),
        hit.map(m -> m.folder()).orElse(null));
  }

  /** Whether a ControlNet was found. */
  public boolean installed() {
    return path != null;
  }

  /** The request a job runs: under the ControlNet when installed and the job has a basemap. */
  GenerationRequest apply(GenerationRequest request) {
    if (!installed() || request.init() == null) {
      return request;
    }
    InitImage basemap = request.init();
    InitImage image = basemap;
    if (control.preprocess() != null) {
      ControlPreprocessor pre = ControlPreprocessor.parse(control.preprocess());
      image =
          new InitImage(
              pre.apply(basemap.image()),
              basemap.source() + " [" + pre.label() + "]",
              basemap.sha256());
    }
    ControlInput input = new ControlInput(id, path, 0, image, control.scale(), 0.0, control.end());
    return request.toBuilder()
        .init(null)
        .strength(null)
        .controls(new Controls(List.of(input), false))
        .build();
  }

  /** The note for each output of a job with ({@code basemap}) or without a basemap. */
  String note(GenerationRequest request) {
    if (request.init() == null) {
      return null;
    }
    if (installed()) {
      return "recipe: the basemap steers the "
          + control.net()
          + " ControlNet "
          + id
          + " (text-to-image under it, no image-to-image)";
    }
    return "recipe: no installed ControlNet's id contains '"
        + control.net()
        + "'; image-to-image from the basemap instead (install one: atelier models import DIR"
        + " --kind controlnet)";
  }

  /** What a plan says before any work: which path the recipe's jobs with a basemap take. */
  public String planNote() {
    if (installed()) {
      return "control: each basemap steers the "
          + control.net()
          + " ControlNet "
          + id
          + " (text-to-image under it; the strength is not used)";
    }
    return "control: no installed ControlNet's id contains '"
        + control.net()
        + "'; image-to-image from the basemap instead (install one: atelier models import DIR"
        + " --kind controlnet)";
  }

  /** The artwork with the notes added to its record's notes. */
  static Artwork withNotes(Artwork a, List<String> added) {
    if (added.isEmpty()) {
      return a;
    }
    ImageRecord r = a.record();
    List<String> notes = new ArrayList<>(r.warnings());
    notes.addAll(added);
    ImageRecord noted =
        new ImageRecord(
            r.software(),
            r.created(),
            r.model(),
            r.settings(),
            r.batchIndex(),
            r.batchSeed(),
            r.timesteps(),
            r.truncated(),
            List.copyOf(notes),
            r.timings());
    return new Artwork(a.image(), noted, a.latents());
  }
}
