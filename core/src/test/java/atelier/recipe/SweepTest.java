package atelier.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.diffusion.SchedulerKind;
import atelier.image.GridSheet;
import atelier.pipeline.GenerationRequest;
import atelier.text.library.PromptLibrary;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sweep planning and grid layout; no model is needed for either. */
class SweepTest {
  private final PromptLibrary lib = PromptLibrary.builtIn();
  private final GenerationRequest base =
      GenerationRequest.builder("a cat in a garden").seed(10L).batch(4).build();

  @Test
  void axesParseValuesAndRanges() {
    assertThat(SweepAxis.parse("cfg=3, 7.5,12"))
        .isEqualTo(new SweepAxis(SweepAxis.Kind.GUIDANCE, List.of("3", "7.5", "12")));
    assertThat(SweepAxis.parse("seed=1..4,9").values()).containsExactly("1", "2", "3", "4", "9");
    assertThatThrownBy(() -> SweepAxis.parse("colour=red"))
        .hasMessage(
            "sweep axis: expected one of seed, guidance, steps, strength, style, scheduler,"
                + " prompt, found 'colour'");
    assertThatThrownBy(() -> SweepAxis.parse("guidance"))
        .hasMessageContaining("expected KIND=VALUE,VALUE,…");
  }

  @Test
  void cellsRunXAcrossYDownZAcrossSheets() {
    Sweep s =
        new Sweep(
            SweepAxis.parse("guidance=3,7"),
            SweepAxis.parse("steps=10,20,30"),
            SweepAxis.parse("style=anime,my own style"));
    List<Sweep.Cell> cells = s.plan(base, lib);
    assertThat(cells).hasSize(12);
    Sweep.Cell c = cells.get(6 + 2 + 1); // sheet 2 (6 cells each), row 2 (2 each), column 2
    assertThat(new int[] {c.iz(), c.iy(), c.ix()}).containsExactly(1, 1, 1);
    assertThat(c.request().guidance()).isEqualTo(7.0);
    assertThat(c.request().steps()).isEqualTo(20);
    assertThat(c.request().prompt()).isEqualTo("a cat in a garden, my own style");
    assertThat(c.request().batch()).isEqualTo(1);
    assertThat(c.request().seed()).isEqualTo(10L);
    assertThat(c.values())
        .containsExactly(
            Map.entry("style", "my own style"),
            Map.entry("steps", "20"),
            Map.entry("guidance", "7"));
    assertThat(cells.get(0).request().prompt()).isEqualTo("a cat in a garden, (anime style:1.1)");
  }

  @Test
  void promptSearchAndReplaceAndSchedulers() {
    List<Sweep.Cell> cells =
        new Sweep(
                SweepAxis.parse("prompt=cat,dog,fox"), SweepAxis.parse("sampler=euler,ddim"), null)
            .plan(base, lib);
    assertThat(cells)
        .extracting(c -> c.request().prompt())
        .containsExactly(
            "a cat in a garden",
            "a dog in a garden",
            "a fox in a garden",
            "a cat in a garden",
            "a dog in a garden",
            "a fox in a garden");
    assertThat(cells.get(3).request().scheduler()).isEqualTo(SchedulerKind.DDIM);
    assertThatThrownBy(
            () -> new Sweep(SweepAxis.parse("prompt=owl,dog"), null, null).plan(base, lib))
        .hasMessageContaining("expected the prompt to contain 'owl'");
  }

  @Test
  void badSweepsAreRejectedBeforeAnyWork() {
    assertThatThrownBy(
            () -> new Sweep(SweepAxis.parse("seed=1,2"), SweepAxis.parse("seed=3"), null))
        .hasMessage("sweep: expected each setting on one axis, found seed twice");
    assertThatThrownBy(
            () -> new Sweep(SweepAxis.parse("strength=0.3,0.6"), null, null).plan(base, lib))
        .hasMessageContaining("strength: applies to image-to-image");
    assertThatThrownBy(
            () -> new Sweep(SweepAxis.parse("steps=1..200"), SweepAxis.parse("seed=1..6"), null))
        .hasMessage("sweep: expected at most 1024 images, found 1200");
    assertThatThrownBy(
            () -> new Sweep(SweepAxis.parse("guidance=high"), null, null).plan(base, lib))
        .hasMessage("sweep axis guidance: expected a number, found 'high'");
  }

  @Test
  void gridPlacesCellsBelowLabelsAndRightOfRowLabels() {
    BufferedImage a = solid(40, 30, 0xff0000);
    BufferedImage b = solid(40, 30, 0x00ff00);
    List<List<BufferedImage>> rows = List.of(List.of(a, b), List.of(b, a));
    GridSheet.Layout l =
        GridSheet.layout(rows, List.of("x 1", "x 2"), List.of("y 1", "y 2"), "title");
    BufferedImage sheet =
        GridSheet.render(rows, List.of("x 1", "x 2"), List.of("y 1", "y 2"), "title");
    assertThat(sheet.getWidth()).isEqualTo(l.width()).isEqualTo(l.left() + 80);
    assertThat(sheet.getHeight()).isEqualTo(l.height()).isEqualTo(l.top() + 60);
    assertThat(l.top()).isGreaterThan(0);
    int[] c10 = l.cell(1, 0);
    assertThat(sheet.getRGB(c10[0], c10[1]) & 0xffffff).isEqualTo(0x00ff00);
    assertThat(sheet.getRGB(c10[0] + 39, c10[1] + 29) & 0xffffff).isEqualTo(0x00ff00);
    int[] c11 = l.cell(1, 1);
    assertThat(sheet.getRGB(c11[0], c11[1]) & 0xffffff).isEqualTo(0xff0000);
    // Labels put ink in the header band.
    boolean ink = false;
    for (int x = 0; x < sheet.getWidth(); x++) {
      for (int y = 0; y < l.top(); y++) {
        ink |= (sheet.getRGB(x, y) & 0xffffff) != 0xffffff;
      }
    }
    assertThat(ink).isTrue();
  }

  private static BufferedImage solid(int w, int h, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }
}
