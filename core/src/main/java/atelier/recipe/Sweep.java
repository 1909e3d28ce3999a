package atelier.recipe;

import atelier.BadRequestException;
import atelier.pipeline.GenerationRequest;
import atelier.text.library.PromptLibrary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parameter sweep: X values across, optional Y values down, optional Z values as separate grid
 * sheets, each cell one image made from a base request with those settings (batch 1). Planned
 * without a model; run by {@link SweepRunner}. Immutable.
 *
 * @param x the axis across (required)
 * @param y the axis down, or null
 * @param z the axis across sheets, or null
 */
public record Sweep(SweepAxis x, SweepAxis y, SweepAxis z) {
  /** Most cells a sweep may have. */
  public static final int MAX_CELLS = 1024;

  public Sweep {
    if (x == null) {
      throw new BadRequestException("sweep: expected an X axis (--x KIND=VALUES), found none");
    }
    List<SweepAxis.Kind> kinds = new ArrayList<>();
    for (SweepAxis a : new SweepAxis[] {x, y, z}) {
      if (a != null) {
        if (kinds.contains(a.kind())) {
          throw new BadRequestException(
              "sweep: expected each setting on one axis, found " + a.kind().axisName() + " twice");
        }
        kinds.add(a.kind());
      }
    }
    long cells = (long) x.values().size() * size(y) * size(z);
    if (cells > MAX_CELLS) {
      throw new BadRequestException(
          "sweep: expected at most " + MAX_CELLS + " images, found " + cells);
    }
  }

  private static int size(SweepAxis a) {
    return a == null ? 1 : a.values().size();
  }

  /**
   * One cell.
   *
   * @param ix column, iy row, iz sheet (0-based)
   * @param request the request for this cell
   * @param values axis name → value, for records and labels
   */
  public record Cell(
      int ix, int iy, int iz, GenerationRequest request, Map<String, String> values) {}

  /** Every cell, sheet by sheet, row by row. */
  public List<Cell> plan(GenerationRequest base, PromptLibrary library) {
    GenerationRequest one = base.toBuilder().batch(1).build();
    List<Cell> cells = new ArrayList<>();
    for (int iz = 0; iz < size(z); iz++) {
      for (int iy = 0; iy < size(y); iy++) {
        for (int ix = 0; ix < x.values().size(); ix++) {
          GenerationRequest r = one;
          Map<String, String> values = new LinkedHashMap<>();
          // Z, then Y, then X: a prompt change on one axis and a style on another compose.
          if (z != null) {
            r = z.apply(r, z.values().get(iz), library);
            values.put(z.kind().axisName(), z.values().get(iz));
          }
          if (y != null) {
            r = y.apply(r, y.values().get(iy), library);
            values.put(y.kind().axisName(), y.values().get(iy));
          }
          r = x.apply(r, x.values().get(ix), library);
          values.put(x.kind().axisName(), x.values().get(ix));
          cells.add(new Cell(ix, iy, iz, r, values));
        }
      }
    }
    return cells;
  }

  /** Number of sheets (Z values, or 1). */
  public int sheets() {
    return size(z);
  }

  /** Number of rows per sheet (Y values, or 1). */
  public int rows() {
    return size(y);
  }
}
