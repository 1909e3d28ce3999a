package atelier.pipeline;

import atelier.CancelToken;
import atelier.ProgressListener;
import atelier.model.SessionSettings;
import java.nio.file.Path;

/**
 * A library user's {@code main}: loads a model and generates on the JVM's main thread with the
 * prompt from the command line. {@link LongArgvTest} runs it in a child JVM with a huge argument.
 */
public final class LongArgvProbe {
  private LongArgvProbe() {}

  /** {@code args}: model folder, prompt. */
  public static void main(String[] args) {
    try (StableDiffusion sd = StableDiffusion.load(Path.of(args[0]), SessionSettings.CPU)) {
      GenerationResult r =
          sd.generate(
              GenerationRequest.builder(args[1]).size(64, 64).steps(1).seed(1L).build(),
              ProgressListener.NONE,
              CancelToken.NONE);
      System.out.println("ok " + r.images().size() + " image, prompt of " + args[1].length());
    }
  }
}
