/**
 * Single-file Stable Diffusion checkpoints ({@code .safetensors} in the LDM/A1111 key naming)
 * turned into ONNX model folders in Java: {@link atelier.model.checkpoint.CheckpointTemplate}
 * (weightless graphs and the key map, made by {@code tools/checkpoint/make_templates.py}), {@link
 * atelier.model.checkpoint.CheckpointPlan} (family, template and keys checked before anything is
 * written) and {@link atelier.model.checkpoint.CheckpointConverter} (weights streamed into the
 * external-data files).
 */
package atelier.model.checkpoint;
