package atelier.pipeline;

import atelier.Progress;
import atelier.ProgressListener;

/**
 * A {@link ProgressListener} that also sees the latents after each denoising step, for live
 * previews ({@link LatentPreview}). Called on the working thread with the array the sampler keeps
 * advancing: read it during the call (or copy it), never keep or change it; keep the call quick.
 */
public interface LatentsListener extends ProgressListener {
  /**
   * The latents of image {@code image} after {@code step} of {@code total} denoising steps.
   *
   * @param latents NCHW with N = 1, in the sampler's (scaled) space
   */
  void onLatents(float[] latents, int channels, int height, int width, Progress progress);

  /**
   * {@code listener} with the latents it is told about bound: a denoising progress report also
   * hands it {@code latents} when it is a {@link LatentsListener}; any other listener is returned
   * as it is.
   */
  static ProgressListener bind(
      ProgressListener listener, float[] latents, int channels, int height, int width) {
    if (!(listener instanceof LatentsListener l)) {
      return listener;
    }
    return p -> {
      l.onProgress(p);
      if (p.stage() == Progress.Stage.DENOISE && p.step() > 0) {
        l.onLatents(latents, channels, height, width, p);
      }
    };
  }
}
