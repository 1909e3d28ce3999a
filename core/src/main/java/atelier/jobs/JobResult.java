package atelier.jobs;

import atelier.pipeline.ImageRecord;
import atelier.pipeline.Timings;
import atelier.quality.Selection;
import atelier.upscale.UpscaleRecord;
import java.nio.file.Path;
import java.util.List;

/**
 * What a finished job made.
 *
 * @param kind the spec's kind
 * @param images every image kept, in the order written
 * @param selection the best-of-N outcome, or null without selection
 * @param files other files written: grid sheets of a sweep (images and selection files excluded)
 * @param notes what ran differently from what was asked (a negative prompt without guidance, a
 *     recipe's scorer that is not installed, …)
 * @param timings the generation's timings, or null for jobs that do not generate (or many runs)
 */
public record JobResult(
    String kind,
    List<Image> images,
    SelectionOutcome selection,
    List<Path> files,
    List<String> notes,
    Timings timings) {

  public JobResult {
    images = List.copyOf(images);
    files = List.copyOf(files);
    notes = List.copyOf(notes);
  }

  /**
   * One image written.
   *
   * @param file where the sink put it
   * @param seed its seed, or null for an upscaled input
   * @param record its generation record (the first pass's with hires fix), or null for an upscale
   * @param upscale the upscale step, or null
   */
  public record Image(
      Path file, Long seed, int width, int height, ImageRecord record, UpscaleRecord upscale) {}

  /**
   * Best-of-N.
   *
   * @param report every candidate, best first, with scores and rejections
   * @param reportFile the JSON report ({@code selection-SEED.json})
   * @param sheetFile the contact sheet
   * @param json the report file's content
   */
  public record SelectionOutcome(
      Selection.Report report, Path reportFile, Path sheetFile, String json) {}
}
