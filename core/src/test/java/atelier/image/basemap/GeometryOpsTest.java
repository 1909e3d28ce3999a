package atelier.image.basemap;

import static atelier.image.basemap.Img.argb;
import static atelier.image.basemap.Img.px;
import static atelier.image.basemap.Img.rgb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blur, crop, pad, resize and logo placement on small images with exact expectations. */
class GeometryOpsTest {
  @Test
  void blurOfAnImpulseIsTheNormalisedKernel() {
    int[] p = new int[15];
    java.util.Arrays.fill(p, rgb(0, 0, 0));
    p[7] = rgb(255, 255, 255);
    int[] out = px(OpKind.parse("blur:1").apply(Img.of(15, 1, p)));
    // exp(−k²/2) over |k| ≤ 3, sum 2.505970: weights 0.399050, 0.242036, 0.054005, 0.004433;
    // times 255 → 101.76, 61.72, 13.77, 1.13.
    int[] expected = {0, 0, 0, 1, 14, 62, 102, 62, 14, 1, 0, 0, 0};
    for (int i = 0; i < expected.length; i++) {
      assertThat(out[i + 1] & 0xff).as("x=%d", i + 1).isEqualTo(expected[i]);
    }
    assertThat(px(OpKind.parse("blur:3").apply(Img.solid(6, 5, rgb(10, 20, 30)))))
        .containsOnly(rgb(10, 20, 30));
  }

  @Test
  void blurDoesNotBleedTransparentColour() {
    BufferedImage img = Img.of(2, 1, rgb(200, 0, 0), argb(0, 0, 255, 0));
    int left = px(OpKind.parse("blur:0.5").apply(img))[0];
    assertThat((left >> 8) & 0xff).isZero();
    assertThat((left >> 16) & 0xff).isEqualTo(200);
  }

  @Test
  void cropKeepsTheLargestRectangleOfTheAspect() {
    BufferedImage img = Img.solid(100, 100, rgb(1, 2, 3));
    Geometry.CropAspect c = (Geometry.CropAspect) OpKind.parse("crop:16:9");
    assertThat(c.rect(100, 100)).containsExactly(0, 22, 100, 56);
    assertThat(c.apply(img).getHeight()).isEqualTo(56);
    assertThat(((Geometry.CropAspect) OpKind.parse("crop:9:20,anchor=right")).rect(100, 100))
        .containsExactly(55, 0, 45, 100);
  }

  @Test
  void padGrowsToTheAspectAndMargin() {
    BufferedImage img =
        Img.of(
            4,
            2,
            rgb(1, 1, 1),
            rgb(2, 2, 2),
            rgb(3, 3, 3),
            rgb(4, 4, 4),
            rgb(5, 5, 5),
            rgb(6, 6, 6),
            rgb(7, 7, 7),
            rgb(8, 8, 8));
    BufferedImage sq = OpKind.parse("pad:1:1,color=black").apply(img);
    assertThat(sq.getWidth()).isEqualTo(4);
    assertThat(sq.getHeight()).isEqualTo(4);
    assertThat(px(sq))
        .startsWith(rgb(0, 0, 0), rgb(0, 0, 0), rgb(0, 0, 0), rgb(0, 0, 0), rgb(1, 1, 1));
    BufferedImage m = OpKind.parse("pad:margin=0.25").apply(img);
    assertThat(new int[] {m.getWidth(), m.getHeight()}).containsExactly(6, 4);
    assertThat(m.getRGB(1, 1)).isEqualTo(rgb(1, 1, 1));
    assertThatThrownBy(() -> OpKind.parse("pad")).hasMessageContaining("found neither");
  }

  @Test
  void resizeUsesTheFitModes() {
    BufferedImage img = Img.solid(40, 20, rgb(9, 9, 9));
    BufferedImage r = OpKind.parse("resize:10,10,fit=contain").apply(img);
    assertThat(r.getWidth()).isEqualTo(10);
    assertThat(r.getRGB(5, 0) >>> 24).isZero(); // padded with transparency
    assertThat(r.getRGB(5, 5)).isEqualTo(rgb(9, 9, 9));
    assertThat(OpKind.parse("resize:10,10").apply(img).getRGB(0, 0)).isEqualTo(rgb(9, 9, 9));
  }

  @Test
  void logoIsCentredInsideThePaddingAndComposited(@TempDir Path dir) throws Exception {
    BufferedImage logo =
        Img.of(
            2,
            2,
            argb(255, 255, 0, 0),
            argb(128, 0, 0, 255),
            argb(0, 0, 255, 0),
            argb(255, 0, 255, 0));
    Path file = dir.resolve("logo.png");
    ImageIO.write(logo, "png", file.toFile());
    // 8×8 canvas, padding 0.375 → a 2×2 box: the logo at scale 1, at (3, 3).
    Logo op = (Logo) OpKind.parse("logo:" + file + ",padding=0.375");
    assertThat(op.placement(8, 8, 2, 2)).containsExactly(3, 3, 2, 2);
    BufferedImage out = op.apply(Img.solid(8, 8, rgb(255, 255, 255)));
    assertThat(out.getRGB(3, 3)).isEqualTo(rgb(255, 0, 0));
    // Half-transparent blue over white: 255·(1 − 128/255) = 127 → (127, 127, 255).
    assertThat(out.getRGB(4, 3)).isEqualTo(rgb(127, 127, 255));
    assertThat(out.getRGB(3, 4)).isEqualTo(rgb(255, 255, 255));
    assertThat(out.getRGB(2, 3)).isEqualTo(rgb(255, 255, 255));
    assertThat(op.sha256()).hasSize(64);
    assertThat(OpKind.parse(op.spec())).isEqualTo(op);
    Files.write(file, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> OpKind.parse(op.spec()))
        .hasMessageContaining("expected the file with SHA-256 " + op.sha256());
    assertThatThrownBy(() -> OpKind.parse("logo:" + dir.resolve("none.png")))
        .hasMessageContaining("expected an image file at");
  }
}
