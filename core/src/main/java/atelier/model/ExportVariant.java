package atelier.model;

/** Which exporter made a model folder; the I/O differences are in FORMATS.md. */
public enum ExportVariant {
  /** diffusers' convert_stable_diffusion_checkpoint_to_onnx.py (2022): no config.json files. */
  DIFFUSERS_SCRIPT("diffusers-script"),
  /**
   * Optimum up to 1.23: config.json per stage, int32 ids, int64 timestep; the VAE encoder returns
   * latent_sample up to 1.22 and latent_parameters in 1.23.
   */
  OPTIMUM_LEGACY("optimum-legacy"),
  /** Optimum 1.24 and later: int64 ids, scalar float timestep, VAE encoder latent_parameters. */
  OPTIMUM("optimum-1.24"),
  /** Olive's float16 export for CUDA/DirectML. */
  OLIVE_FP16("olive-fp16");

  private final String id;

  ExportVariant(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }
}
