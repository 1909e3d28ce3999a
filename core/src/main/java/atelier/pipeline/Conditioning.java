package atelier.pipeline;

import atelier.diffusion.Guidance;
import atelier.model.Tensor;
import atelier.text.CompiledPrompt;
import atelier.text.Emphasis;
import atelier.text.PromptChunk;
import atelier.text.PromptCompiler;
import atelier.text.SubPrompt;
import java.util.ArrayList;
import java.util.List;

/**
 * The encoded prompts of one run and the guided UNet prediction built on them. Each sub-prompt's
 * chunks are encoded one 77-token sequence at a time (A1111's emphasis applied per chunk) and
 * joined along the token axis; all conditionings are padded to the same number of chunks with the
 * empty prompt's encoding (A1111's padding), so they can share one UNet batch. Immutable.
 */
final class Conditioning {
  private final float[] uncond;
  private final List<float[]> conds;
  private final double[] weights;
  private final int tokens;
  private final int hidden;
  private final List<String> truncated;

  private Conditioning(
      float[] uncond,
      List<float[]> conds,
      double[] weights,
      int tokens,
      int hidden,
      List<String> truncated) {
    this.uncond = uncond;
    this.conds = conds;
    this.weights = weights;
    this.tokens = tokens;
    this.hidden = hidden;
    this.truncated = truncated;
  }

  /** Encodes the prompt (and the negative prompt when {@code guided}). */
  static Conditioning encode(
      StableDiffusion model, String prompt, String negative, boolean guided) {
    return encode(model, prompt, negative, guided, 1);
  }

  /** Encodes as {@link #encode(StableDiffusion, String, String, boolean)} with a clip skip. */
  static Conditioning encode(
      StableDiffusion model, String prompt, String negative, boolean guided, int clipSkip) {
    PromptCompiler compiler = new PromptCompiler(model.tokenizer());
    int maxChunks = model.info().maxPromptChunks();
    CompiledPrompt positive = compiler.compile(prompt, maxChunks);
    List<String> truncated = new ArrayList<>(positive.truncated());
    List<List<float[]>> condChunks = new ArrayList<>();
    double[] weights = new double[positive.parts().size()];
    for (int i = 0; i < weights.length; i++) {
      SubPrompt part = positive.parts().get(i);
      weights[i] = part.weight();
      condChunks.add(encodeChunks(model, part.chunks(), clipSkip));
    }
    List<float[]> uncondChunks = null;
    if (guided) {
      CompiledPrompt neg = compiler.compileNegative(negative, maxChunks);
      truncated.addAll(neg.truncated());
      List<PromptChunk> negChunks = new ArrayList<>();
      for (SubPrompt part : neg.parts()) {
        negChunks.addAll(part.chunks());
      }
      uncondChunks = encodeChunks(model, negChunks, clipSkip);
    }
    int chunks = uncondChunks == null ? 0 : uncondChunks.size();
    for (List<float[]> c : condChunks) {
      chunks = Math.max(chunks, c.size());
    }
    float[] empty = null;
    int chunkTokens = positive.parts().get(0).chunks().get(0).ids().length;
    int chunkFloats = condChunks.get(0).get(0).length;
    if (chunks > 1) {
      empty = encodeChunks(model, List.of(compiler.emptyChunk()), clipSkip).get(0);
    }
    List<float[]> conds = new ArrayList<>();
    for (List<float[]> c : condChunks) {
      conds.add(join(c, chunks, empty, chunkFloats));
    }
    float[] uncond = uncondChunks == null ? null : join(uncondChunks, chunks, empty, chunkFloats);
    return new Conditioning(
        uncond,
        conds,
        weights,
        chunks * chunkTokens,
        chunkFloats / chunkTokens,
        List.copyOf(truncated));
  }

  private static List<float[]> encodeChunks(
      StableDiffusion model, List<PromptChunk> chunks, int clipSkip) {
    List<float[]> out = new ArrayList<>();
    for (PromptChunk chunk : chunks) {
      float[] h = model.textEncoder().encode(List.of(chunk.ids()), clipSkip).get(0);
      if (chunk.hasEmphasis()) {
        Emphasis.apply(h, chunk.ids().length, h.length / chunk.ids().length, chunk.weights());
      }
      out.add(h);
    }
    return out;
  }

  private static float[] join(List<float[]> chunks, int count, float[] empty, int chunkFloats) {
    float[] out = new float[count * chunkFloats];
    for (int i = 0; i < count; i++) {
      float[] src = i < chunks.size() ? chunks.get(i) : empty;
      System.arraycopy(src, 0, out, i * chunkFloats, chunkFloats);
    }
    return out;
  }

  /** Prompt text that did not fit the model. */
  List<String> truncated() {
    return truncated;
  }

  /**
   * The guided prediction for one image's scaled latents: one UNet batch of [uncond?, cond…] (split
   * if the graph's batch is fixed), combined by {@link Guidance}.
   */
  float[] predict(
      Unet unet,
      float[] input,
      int latentH,
      int latentW,
      double timestep,
      double guidance,
      float[] guidanceEmbedding) {
    return predict(
        unet, UnetCall.of(unet), input, latentH, latentW, timestep, guidance, guidanceEmbedding);
  }

  /** As above, each UNet call made through {@code call} (ControlNets, when a run has them). */
  float[] predict(
      Unet unet,
      UnetCall call,
      float[] input,
      int latentH,
      int latentW,
      double timestep,
      double guidance,
      float[] guidanceEmbedding) {
    List<float[]> rows = new ArrayList<>();
    if (uncond != null) {
      rows.add(uncond);
    }
    rows.addAll(conds);
    float[][] predictions = new float[rows.size()][];
    int maxBatch = Math.max(1, unet.maxBatch());
    // an inpainting UNet takes more channels than it returns ([latents, mask, masked latents])
    int channels = input.length / (latentH * latentW);
    int outLength = 4 * latentH * latentW;
    for (int from = 0; from < rows.size(); from += maxBatch) {
      int n = Math.min(maxBatch, rows.size() - from);
      float[] latents = new float[n * input.length];
      float[] states = new float[n * tokens * hidden];
      float[] embed = guidanceEmbedding == null ? null : new float[n * guidanceEmbedding.length];
      for (int i = 0; i < n; i++) {
        System.arraycopy(input, 0, latents, i * input.length, input.length);
        System.arraycopy(rows.get(from + i), 0, states, i * tokens * hidden, tokens * hidden);
        if (embed != null) {
          System.arraycopy(
              guidanceEmbedding, 0, embed, i * guidanceEmbedding.length, guidanceEmbedding.length);
        }
      }
      Tensor out =
          call.predict(
              Tensor.floats(latents, n, channels, latentH, latentW),
              timestep,
              Tensor.floats(states, n, tokens, hidden),
              embed == null ? null : Tensor.floats(embed, n, guidanceEmbedding.length),
              from,
              uncond != null);
      float[] all = out.floatData();
      for (int i = 0; i < n; i++) {
        predictions[from + i] =
            java.util.Arrays.copyOfRange(all, i * outLength, (i + 1) * outLength);
      }
    }
    float[] u = uncond == null ? null : predictions[0];
    float[][] c = new float[conds.size()][];
    System.arraycopy(predictions, uncond == null ? 0 : 1, c, 0, conds.size());
    return Guidance.combine(u, c, weights, guidance);
  }
}
