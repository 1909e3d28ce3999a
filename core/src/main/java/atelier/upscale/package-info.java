/**
 * Super-resolution: upscaler models, tiling, and "generate small, then upscale".
 *
 * <ul>
 *   <li>{@link atelier.upscale.Upscaler}: one ONNX super-resolution graph (ESRGAN, Real-ESRGAN,
 *       converted UpscalerJS models) with its layout, scale and size multiple read from the graph.
 *   <li>{@link atelier.upscale.Tiler} and {@link atelier.upscale.Upscaling}: overlapping tiles with
 *       cross-faded seams under a memory budget, passes to any factor, alpha upscaled separately.
 *   <li>{@link atelier.upscale.UpscalerPackage}, {@link atelier.upscale.TfjsLayersModel}, {@link
 *       atelier.upscale.LayersToOnnx}, {@link atelier.upscale.OnnxGraph}: UpscalerJS npm packages
 *       (TensorFlow.js layers models) converted to ONNX graphs; {@link
 *       atelier.upscale.UpscalerStore}: the installed upscalers.
 *   <li>{@link atelier.upscale.UpscalePng}: output PNGs keep the input's text chunks and record
 *       each step; {@link atelier.upscale.HiresFix}: A1111's hires fix on top of the pipeline.
 *   <li>{@link atelier.upscale.ImageMetrics}: PSNR and SSIM for conformance and quality tables.
 * </ul>
 *
 * <p>Pixels are floats in [0, 1], planar RGB ({@link atelier.upscale.PlanarImage}). Upscalers are
 * thread-safe and own their sessions; everything else is immutable or stateless.
 */
package atelier.upscale;
