package atelier.pipeline;

import atelier.model.ElementType;
import atelier.model.OnnxModel;
import atelier.model.Tensor;
import atelier.model.TensorSpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ControlNet inputs a UNet graph declares: the residuals of a separate ControlNet ({@code
 * down_block_{i}_additional_residual} and {@code mid_block_additional_residual}, as OnnxStack's and
 * onnx-web's ControlNet UNets take them), or ControlNets fused into the graph ({@code
 * controlnet_conds [N, 2B, 3, 8H, 8W]} and {@code conditioning_scales [N, 1]}, diffusers'
 * convert_stable_diffusion_controlnet_to_onnx.py). Immutable.
 *
 * @param residuals the residual inputs in order (the down blocks', then the mid block's); empty
 *     when the graph takes none
 * @param fusedSlots how many ControlNets a fused graph holds; 0 when not fused
 */
record ControlInputs(List<TensorSpec> residuals, int fusedSlots, TensorSpec fusedScales) {
  static final String MID = "mid_block_additional_residual";
  static final String FUSED_CONDS = "controlnet_conds";
  static final String FUSED_SCALES = "conditioning_scales";
  private static final Set<ElementType> FLOATS =
      EnumSet.of(ElementType.FLOAT32, ElementType.FLOAT16);

  static String downName(int i) {
    return "down_block_" + i + "_additional_residual";
  }

  static ControlInputs of(OnnxModel model) {
    List<TensorSpec> residuals = new ArrayList<>();
    for (int i = 0; model.input(downName(i)).isPresent(); i++) {
      residuals.add(model.requireInput(downName(i), FLOATS, 4));
    }
    if (!residuals.isEmpty()) {
      residuals.add(model.requireInput(MID, FLOATS, 4));
    }
    int slots = 0;
    TensorSpec scales = null;
    if (model.input(FUSED_CONDS).isPresent()) {
      TensorSpec conds = model.requireInput(FUSED_CONDS, FLOATS, 5);
      scales = model.requireInput(FUSED_SCALES, FLOATS, 1, 2);
      slots =
          conds.isStatic(0)
              ? (int) conds.shape()[0]
              : scales.isStatic(0) ? (int) scales.shape()[0] : 1;
    }
    return new ControlInputs(List.copyOf(residuals), slots, scales);
  }

  boolean takesResiduals() {
    return !residuals.isEmpty();
  }

  /** The fused inputs for the given images and per-slot scales. */
  Map<String, Tensor> fused(float[] conds, float[] scales, int batch, int height, int width) {
    long[] scaleShape =
        fusedScales.rank() == 2 ? new long[] {fusedSlots, 1} : new long[] {fusedSlots};
    return Map.of(
        FUSED_CONDS,
        Tensor.floats(conds, fusedSlots, batch, 3, height, width),
        FUSED_SCALES,
        Tensor.floats(scales, scaleShape));
  }

  /** A fused graph's inputs for no control: zero images at scale 0 (exactly the plain UNet). */
  Map<String, Tensor> fusedOff(int batch, int latentH, int latentW) {
    int h = latentH * 8;
    int w = latentW * 8;
    return fused(new float[fusedSlots * batch * 3 * h * w], new float[fusedSlots], batch, h, w);
  }
}
