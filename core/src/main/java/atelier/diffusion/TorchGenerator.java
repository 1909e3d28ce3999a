package atelier.diffusion;

/**
 * A random generator that reproduces PyTorch's CPU generator: {@code torch.manual_seed(seed);
 * torch.randn(n)} gives the same numbers (to about 2e-6, see FORMATS.md). Stateful, not
 * thread-safe: one per image per run.
 */
public interface TorchGenerator {

  /** The seed this generator started from. */
  long seed();

  /**
   * The next {@code n} standard-normal floats, as {@code torch.randn(n)} on CPU would draw them.
   */
  float[] randn(int n);
}
