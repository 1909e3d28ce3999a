package atelier.pipeline;

import atelier.BadRequestException;
import java.util.List;
import java.util.Objects;

/**
 * The ControlNets of a request and how they apply.
 *
 * @param inputs one or more ControlNets (at most {@link #MAX}); their residuals are summed
 * @param guessMode diffusers' guess mode: the ControlNets see only the prompt half of the guidance
 *     batch, with residuals scaled from 0.1 (shallowest) to 1 (mid block)
 */
public record Controls(List<ControlInput> inputs, boolean guessMode) {
  /**
   * The most separate ControlNets one generation may use: each holds a session (a real SD 1.5
   * ControlNet is 1.4 GB in float32) and runs every step.
   */
  public static final int MAX = 4;

  public Controls {
    inputs = List.copyOf(Objects.requireNonNull(inputs, "inputs"));
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("controls: expected at least one");
    }
    checkCount(inputs.size());
  }

  /**
   * @throws BadRequestException when {@code n} ControlNets are more than {@link #MAX}
   */
  public static void checkCount(int n) {
    if (n > MAX) {
      throw new BadRequestException(
          "control: expected at most "
              + MAX
              + " ControlNets per image (each one loads a model and runs every step), found "
              + n);
    }
  }
}
