package atelier.image.basemap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The 8192-pixel side limit holds for basemap inputs and for every operation's result. */
class BasemapLimitsTest {

  @Test
  void padRefusesResultsPastTheLimitBeforeAllocating() {
    BufferedImage img = Img.solid(64, 64, Img.rgb(1, 2, 3));
    // once NegativeArraySizeException (an int overflow), and a 6.4-million-pixel-wide PNG
    assertThatThrownBy(() -> chain("pad:1000000:1").apply(img))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "basemap step 1 pad: expected a result of at most 8192×8192 pixels, found"
                + " 64000000×64");
    assertThatThrownBy(() -> chain("pad:100000:1").apply(img))
        .isInstanceOf(BadRequestException.class)
        .hasMessageEndingWith("found 6400000×64");
    BufferedImage wide = Img.solid(8000, 2, Img.rgb(1, 2, 3));
    assertThatThrownBy(() -> chain("contrast:1.1", "pad:margin=1").apply(wide))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "basemap step 2 pad: expected a result of at most 8192×8192 pixels, found"
                + " 24000×16002");
    assertThat(chain("pad:4096:1").apply(Img.solid(1, 2, 0)).getWidth()).isEqualTo(8192);
  }

  @Test
  void inputsPastTheLimitAreRefusedEvenWithoutSteps() {
    BufferedImage big = new BufferedImage(8193, 1, BufferedImage.TYPE_INT_ARGB);
    assertThatThrownBy(() -> BasemapChain.EMPTY.apply(big))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("basemap: expected an input image of at most 8192×8192 pixels, found 8193×1");
    assertThatThrownBy(() -> chain("crop:1:1").apply(big))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("found 8193×1");
    // a chain that makes its own image ignores the input
    assertThat(chain("canvas:8,8").apply(big).getWidth()).isEqualTo(8);
  }

  @Test
  void resizingToAnExtremeAspectDoesNotResampleTheWholeSourceFirst() {
    // cover once scaled the whole 8192×2 source by 2048 (16.7 million pixels wide) before
    // cropping: ArrayIndexOutOfBoundsException; now it crops to the target's aspect first
    BufferedImage out = chain("resize:16,4096").apply(Img.solid(8192, 2, Img.rgb(10, 20, 30)));
    assertThat(new int[] {out.getWidth(), out.getHeight()}).containsExactly(16, 4096);
    assertThat(Img.hex(Img.at(out, 8, 2000))).isEqualTo("ff0a141e");
  }

  /** Every kind at its most growing parameters on a maximal image: the limit, or a clear no. */
  @Test
  void everyOperationStaysWithinTheLimit(@TempDir Path dir) throws Exception {
    Path logo = dir.resolve("logo.png");
    ImageIO.write(Img.solid(4, 4, Img.rgb(200, 0, 0)), "png", logo.toFile());
    List<String> specs =
        List.of(
            "canvas:16,16",
            "temperature:3000",
            "brightness:0.5",
            "contrast:2",
            "gamma:2",
            "levels:10,240,1.2",
            "curve:0/0;128/200;255/255",
            "hue-saturation:90,2,0.1",
            "background:#ffffff",
            "gradient:radial",
            "noise:gaussian",
            "blur:2",
            "dilate:2",
            "erode:2",
            "feather:4",
            "resize:16,16",
            "crop:1000:1",
            "pad:margin=0.001",
            "text:Atelier,size=8",
            "logo:file=" + logo);
    Set<OpKind> covered = EnumSet.noneOf(OpKind.class);
    for (String spec : specs) {
      BasemapOp op = OpKind.parse(spec);
      covered.add(op.kind());
      for (BufferedImage in : List.of(Img.solid(8192, 2, Img.rgb(9, 9, 9)))) {
        BufferedImage out;
        try {
          out = new BasemapChain(List.of(op)).apply(in);
        } catch (BadRequestException e) {
          assertThat(e.getMessage()).as(spec).contains("at most 8192×8192 pixels");
          continue;
        }
        assertThat(Math.max(out.getWidth(), out.getHeight())).as(spec).isLessThanOrEqualTo(8192);
      }
    }
    assertThat(covered).containsExactlyInAnyOrder(OpKind.values());
  }

  private static BasemapChain chain(String... specs) {
    return BasemapChain.parse(List.of(specs));
  }
}
