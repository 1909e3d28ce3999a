package atelier.recipe;

import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.model.ModelHasher;
import atelier.pipeline.Artwork;
import atelier.pipeline.GenerationResult;
import atelier.pipeline.StableDiffusion;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs planned jobs on a loaded model: writes each basemap, generates through {@link
 * StableDiffusion#generate}, keeps what the {@link Selector} chooses, brings it to the recipe's
 * final size with the {@link Upscaler}, and writes PNGs carrying the generation record and the
 * {@link Provenance}. Not thread-safe; one run at a time (the model itself is shared).
 */
public final class RecipeRunner {
  private final StableDiffusion model;
  private final Upscaler upscaler;
  private final Selector selector;

  /** A runner over a loaded model with the given upscaler and selector. */
  public RecipeRunner(StableDiffusion model, Upscaler upscaler, Selector selector) {
    this.model = model;
    this.upscaler = upscaler;
    this.selector = selector;
  }

  /**
   * One written output.
   *
   * @param file the PNG
   * @param artwork the image as written (after upscaling) with its generation record
   * @param provenance what the PNG records besides the generation
   */
  public record Output(Path file, Artwork artwork, Provenance provenance) {}

  /**
   * Runs jobs in order, writing outputs to {@code outDir} as they finish.
   *
   * @return every output written
   */
  public List<Output> run(
      List<Job> jobs, Path outDir, ProgressListener listener, CancelToken cancel) {
    List<Output> outputs = new ArrayList<>();
    for (Job job : jobs) {
      writeBasemapOf(job);
      GenerationResult result = model.generate(job.request(), listener, cancel);
      Provenance prov = job.provenance().withTools(upscaler.name(), selector.name());
      for (Artwork a : selector.select(result.images(), prov.select())) {
        Artwork out = finish(a, prov.upscale());
        byte[] png = ProvenancePng.encode(out, prov);
        Path file =
            atelier.OutputTarget.writeUnique(
                outDir.resolve(
                    String.format(
                        Locale.ROOT, "%s-%d.png", job.name(), a.record().settings().seed())),
                o -> o.write(png));
        outputs.add(new Output(file, out, prov));
      }
    }
    return outputs;
  }

  /** The artwork at the recipe's final size (unchanged without an upscale section). */
  Artwork finish(Artwork a, Recipe.Upscale spec) {
    if (spec == null) {
      return a;
    }
    BufferedImage img = upscaler.upscale(a.image(), spec.width(), spec.height(), spec.fit());
    return new Artwork(img, a.record(), a.latents());
  }

  /**
   * Writes a job's basemap file (if it has one) unless the same bytes are already there; series
   * items share one. Used before generating and by dry runs, so basemaps can be previewed.
   */
  public static void writeBasemapOf(Job job) {
    if (job.basemapFile() == null) {
      return;
    }
    try {
      Path f = job.basemapFile();
      if (Files.isRegularFile(f)
          && ModelHasher.sha256Of(f).equals(ModelHasher.sha256Of(job.basemapPng()))) {
        return;
      }
      atelier.AtomicFiles.write(f, job.basemapPng());
    } catch (IOException e) {
      throw atelier.OutputTarget.failure(job.basemapFile(), e);
    }
  }
}
