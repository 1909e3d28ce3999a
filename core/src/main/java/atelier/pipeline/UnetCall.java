package atelier.pipeline;

import atelier.model.Tensor;

/**
 * One UNet call on part of a guidance batch: the plain {@link Unet}, or a run's ControlNets in
 * front of it. Rows are numbered across the whole batch [uncond?, cond…] so a caller knows which
 * rows are the negative prompt's.
 */
interface UnetCall {
  /**
   * @param firstRow the batch row of {@code latents}' first row
   * @param uncondFirst whether row 0 of the whole batch is the negative prompt's
   */
  Tensor predict(
      Tensor latents, double t, Tensor states, Tensor emb, int firstRow, boolean uncondFirst);

  static UnetCall of(Unet unet) {
    return (latents, t, states, emb, firstRow, uncondFirst) ->
        unet.predict(latents, t, states, emb);
  }
}
