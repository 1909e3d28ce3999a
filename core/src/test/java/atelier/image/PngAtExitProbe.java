package atelier.image;

import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * Encodes a PNG inside a shutdown hook, as happens when an image finishes while the JVM exits
 * (Ctrl-C). {@link PngTextAtExitTest} runs it in a child JVM.
 */
public final class PngAtExitProbe {
  private PngAtExitProbe() {}

  public static void main(String[] args) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  byte[] png =
                      PngText.encode(
                          new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB),
                          Map.of("parameters", "a fox"));
                  System.out.println("encoded " + png.length + " bytes at exit");
                }));
  }
}
