package atelier.recipe;

import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.image.GridSheet;
import atelier.image.PngText;
import atelier.pipeline.Artwork;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.StableDiffusion;
import atelier.text.library.PromptLibrary;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a {@link Sweep} on a loaded model: one image per cell (written as it is made, with the base
 * job's provenance plus the cell's axis values), then one labelled grid sheet per Z value. Not
 * thread-safe; one run at a time.
 */
public final class SweepRunner {
  /** The text chunk of a grid sheet describing its axes and cell files, as JSON. */
  public static final String SWEEP = "atelier-sweep";

  private final StableDiffusion model;
  private final PromptLibrary library;

  /** A runner over a loaded model; style values come from the library. */
  public SweepRunner(StableDiffusion model, PromptLibrary library) {
    this.model = model;
    this.library = library;
  }

  /** What a sweep wrote: every cell image, and the grid sheets. */
  public record Result(List<Path> images, List<Path> sheets) {}

  /** Runs every cell of the sweep over the base job and writes images and sheets. */
  public Result run(
      Sweep sweep, Job base, Path outDir, ProgressListener listener, CancelToken cancel) {
    return run(sweep, base, outDir, (cell, file) -> {}, listener, cancel);
  }

  /**
   * Runs every cell of the sweep over the base job and writes images and sheets.
   *
   * @param onCell told of each cell's file right after it is written
   */
  public Result run(
      Sweep sweep,
      Job base,
      Path outDir,
      java.util.function.BiConsumer<Sweep.Cell, Path> onCell,
      ProgressListener listener,
      CancelToken cancel) {
    RecipeRunner.writeBasemapOf(base);
    List<Sweep.Cell> cells = sweep.plan(base.request(), library);
    List<Path> images = new ArrayList<>();
    List<Path> sheets = new ArrayList<>();
    int perSheet = sweep.x().values().size() * sweep.rows();
    for (int z = 0; z < sweep.sheets(); z++) {
      List<List<BufferedImage>> grid = new ArrayList<>();
      List<String> files = new ArrayList<>();
      for (int i = 0; i < perSheet; i++) {
        Sweep.Cell cell = cells.get(z * perSheet + i);
        Artwork a = model.generate(cell.request(), listener, cancel).images().get(0);
        Path file = write(a, base.provenance().withSweep(cell.values()), outDir, base, sweep, cell);
        images.add(file);
        onCell.accept(cell, file);
        files.add(file.getFileName().toString());
        if (cell.ix() == 0) {
          grid.add(new ArrayList<>());
        }
        grid.get(cell.iy()).add(a.image());
      }
      String zValue = sweep.z() == null ? null : sweep.z().values().get(z);
      BufferedImage sheet =
          GridSheet.render(
              grid,
              sweep.x().values().stream().map(v -> sweep.x().label(v)).toList(),
              sweep.y() == null
                  ? List.of()
                  : sweep.y().values().stream().map(v -> sweep.y().label(v)).toList(),
              zValue == null ? base.request().prompt() : sweep.z().label(zValue));
      Path sheetFile =
          outDir.resolve(
              base.name() + "-grid" + (sweep.z() == null ? "" : "-z" + (z + 1)) + ".png");
      sheets.add(writeSheet(sheet, sweep, zValue, files, sheetFile));
    }
    return new Result(images, sheets);
  }

  static String cellName(String base, Sweep sweep, Sweep.Cell c) {
    StringBuilder sb = new StringBuilder(base);
    if (sweep.z() != null) {
      sb.append("-z").append(c.iz() + 1);
    }
    if (sweep.y() != null) {
      sb.append("-y").append(c.iy() + 1);
    }
    sb.append("-x").append(c.ix() + 1);
    return sb.append(".png").toString().toLowerCase(Locale.ROOT);
  }

  private static Path write(
      Artwork a, Provenance p, Path outDir, Job base, Sweep sweep, Sweep.Cell cell) {
    byte[] png = ProvenancePng.encode(a, p);
    return atelier.OutputTarget.writeUnique(
        outDir.resolve(cellName(base.name(), sweep, cell)), o -> o.write(png));
  }

  private static Path writeSheet(
      BufferedImage sheet, Sweep sweep, String zValue, List<String> files, Path file) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("x", sweep.x());
    meta.put("y", sweep.y());
    meta.put("z", sweep.z());
    meta.put("sheet", zValue);
    meta.put("files", files);
    try {
      byte[] png = PngText.encode(sheet, Map.of(SWEEP, ArtworkPng.json().writeValueAsString(meta)));
      return atelier.OutputTarget.writeUnique(file, o -> o.write(png));
    } catch (IOException e) {
      throw atelier.OutputTarget.failure(file, e);
    }
  }
}
