package atelier.image;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.model.Tensor;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImageTensorsTest {

  @Test
  void pixelsMapToMinusOneToOneInPlanarOrder() {
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0xff0080);
    img.setRGB(1, 0, 0x00ff00);
    Tensor t = ImageTensors.toTensor(img);
    assertThat(t.shape()).containsExactly(1, 3, 1, 2);
    // R plane, G plane, B plane: p/255·2 − 1
    assertThat(t.floatData()).containsExactly(1f, -1f, -1f, 1f, 128f / 255f * 2f - 1f, -1f);
  }

  @Test
  void transparentPixelsBecomeWhite() {
    BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    img.setRGB(0, 0, 0x00000000);
    assertThat(ImageTensors.toTensor(img).floatData()).containsExactly(1f, 1f, 1f);
  }

  @Test
  void decoderValuesRoundHalfToEvenLikeNumpy() {
    // x/2 + 0.5 = v; v·255 = 127.5 rounds to 128 (even), 0.5/255 + … below: exact cases.
    assertThat(ImageTensors.toByte(0f)).isEqualTo(128); // 0.5·255 = 127.5 → 128
    assertThat(ImageTensors.toByte(-1f)).isEqualTo(0);
    assertThat(ImageTensors.toByte(1f)).isEqualTo(255);
    assertThat(ImageTensors.toByte(5f)).isEqualTo(255);
    assertThat(ImageTensors.toByte(-3f)).isEqualTo(0);
    assertThat(ImageTensors.toByte(2f * (2.5f / 255f) - 1f)).isEqualTo(2); // 2.5 → 2 (even)
  }

  @Test
  void roundTripsAnImage() {
    BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    int[] colours = {0x102030, 0xffffff, 0x000000, 0x7f8081, 0xabcdef, 0x010203};
    img.setRGB(0, 0, 3, 2, colours, 0, 3);
    BufferedImage back = ImageTensors.toImage(ImageTensors.toTensor(img), 0);
    assertThat(back.getRGB(0, 0, 3, 2, null, 0, 3))
        .containsExactly(java.util.Arrays.stream(colours).map(c -> c | 0xff000000).toArray());
  }
}
