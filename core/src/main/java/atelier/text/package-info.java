/**
 * Text in, text-encoder inputs out: the CLIP BPE tokenizer ({@link atelier.text.ClipTokenizer}) and
 * the prompt language ({@link atelier.text.PromptCompiler}).
 *
 * <p>The prompt language follows AUTOMATIC1111's web UI and Disco Diffusion, so prompts written for
 * them give the same tokens and weights here:
 *
 * <ul>
 *   <li>{@code (word)} ×1.1, {@code ((word))} ×1.21, {@code [word]} ÷1.1, {@code (word:1.3)} ×1.3,
 *       {@code (a, b:0.5)}; nesting multiplies; {@code \( \) \[ \] \\} are literal.
 *   <li>{@code BREAK} (upper case, a whole word) starts a new 75-token chunk.
 *   <li>{@code a castle:2 | fog:1 | people:-1}: a Disco Diffusion weighted list (weights divided by
 *       |sum|; a zero sum is an error).
 *   <li>{@code a castle :1.2 AND fog}: A1111 composable diffusion (weights as written).
 *   <li>Prompts longer than 75 tokens become several chunks, split back to a comma when one lies
 *       within the last 20 tokens.
 * </ul>
 *
 * <p>{@link atelier.text.Emphasis} applies the weights to the encoder output. Everything here is
 * immutable or stateless and thread-safe.
 */
package atelier.text;
