package atelier.pipeline;

import atelier.CancelToken;
import atelier.ModelLoadException;
import atelier.ProgressListener;
import atelier.diffusion.SchedulerConfig;
import atelier.model.Device;
import atelier.model.ModelFolder;
import atelier.model.ModelHasher;
import atelier.model.SessionSettings;
import atelier.model.lora.LoraMatch;
import atelier.model.lora.LoraPatch;
import atelier.model.lora.LoraUse;
import atelier.text.ClipTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A loaded Stable Diffusion model: its tokenizer, scheduler configuration and stages, checked at
 * load so a bad folder fails before any job starts. Image-to-image loads the VAE encoder on first
 * use.
 *
 * <p>Thread-safe: the sessions are shared; each {@link #generate} call keeps its own run state.
 * Closing closes every stage, even if one fails, and is idempotent.
 */
public final class StableDiffusion implements AutoCloseable {
  private final ModelFolder folder;
  private final SessionSettings settings;
  private final ModelInfo info;
  private final ClipTokenizer tokenizer;
  private final SchedulerConfig schedulerConfig;
  private final TextEncoder textEncoder;
  private final Unet unet;
  private final VaeDecoder vaeDecoder;
  private VaeEncoder vaeEncoder;
  private TaesdDecoder taesd;
  private final ControlStages control = new ControlStages();
  private List<LoraMatch> loras = List.of();
  private String hash;
  private boolean closed;

  private StableDiffusion(
      ModelFolder folder,
      SessionSettings settings,
      ClipTokenizer tokenizer,
      SchedulerConfig schedulerConfig,
      TextEncoder textEncoder,
      Unet unet,
      VaeDecoder vaeDecoder) {
    this.folder = folder;
    this.settings = settings;
    this.tokenizer = tokenizer;
    this.schedulerConfig = schedulerConfig;
    this.textEncoder = textEncoder;
    this.unet = unet;
    this.vaeDecoder = vaeDecoder;
    this.info = ModelDetection.describe(folder, tokenizer, textEncoder, unet);
  }

  /**
   * Loads and checks a model folder.
   *
   * @throws ModelLoadException naming the folder, what was expected and what was found
   */
  public static StableDiffusion load(Path dir, SessionSettings settings) {
    return load(dir, settings, List.of());
  }

  /**
   * Loads a model folder with LoRAs merged into its text encoder and UNet weights at load (the
   * files on disk are not changed; see {@link LoraPatch}).
   *
   * @throws atelier.BadRequestException when a LoRA is unreadable or made for another architecture
   * @throws ModelLoadException naming the folder, what was expected and what was found
   */
  public static StableDiffusion load(Path dir, SessionSettings settings, List<LoraUse> loras) {
    ModelFolder folder = ModelFolder.open(dir);
    if (folder.isSdxl()) {
      throw new ModelLoadException(
          "model "
              + dir
              + ": this is an SDXL export (text_encoder_2/ present); Atelier does not"
              + " run SDXL yet; use an SD 1.x, 2.x, Turbo or LCM export");
    }
    ClipTokenizer tokenizer = ClipTokenizer.load(folder.tokenizerDir());
    SchedulerConfig schedulerConfig =
        SchedulerConfig.read(dir.resolve("scheduler/scheduler_config.json"));
    LoraPatch.Result patch =
        LoraPatch.apply(folder.graph("text_encoder"), folder.graph("unet"), loras);
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      TextEncoder text = TextEncoder.open(patch.textEncoder(), settings);
      opened.add(text);
      Unet unet = Unet.open(patch.unet(), settings);
      opened.add(unet);
      refuseFloat16OnCpu(dir, settings, unet);
      VaeDecoder decoder = VaeDecoder.open(folder.graph("vae_decoder"), settings);
      opened.add(decoder);
      StableDiffusion sd =
          new StableDiffusion(folder, settings, tokenizer, schedulerConfig, text, unet, decoder);
      sd.loras = patch.matches();
      return sd;
    } catch (RuntimeException e) {
      for (AutoCloseable c : opened) {
        try {
          c.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static void refuseFloat16OnCpu(Path dir, SessionSettings settings, Unet unet) {
    if (settings.device() == Device.CPU && unet.model().usesFloat16()) {
      throw new ModelLoadException(
          "model "
              + dir
              + ": the UNet is a float16 graph (an Olive export for CUDA/DirectML);"
              + " ONNX Runtime cannot run float16 Stable Diffusion graphs on the CPU; use"
              + " --device cuda, or a float32 export (diffusers or Optimum) for the CPU");
    }
  }

  /** The LoRAs merged at load and how each matched (empty when none). */
  public List<LoraMatch> loras() {
    return loras;
  }

  public ModelInfo info() {
    return info;
  }

  public ModelFolder folder() {
    return folder;
  }

  public ClipTokenizer tokenizer() {
    return tokenizer;
  }

  public SchedulerConfig schedulerConfig() {
    return schedulerConfig;
  }

  public TextEncoder textEncoder() {
    return textEncoder;
  }

  public Unet unet() {
    return unet;
  }

  public VaeDecoder vaeDecoder() {
    return vaeDecoder;
  }

  /**
   * Decodes later images with TAESD instead of the VAE ({@code generate --vae taesd}); this model
   * takes ownership and closes it. Null goes back to the VAE (and closes the previous one).
   */
  public synchronized void decodeWith(TaesdDecoder decoder) {
    if (taesd != null && taesd != decoder) {
      taesd.close();
    }
    taesd = decoder;
  }

  /** The TAESD decoder images are decoded with, or null for the model's VAE. */
  public synchronized TaesdDecoder taesd() {
    return taesd;
  }

  /** The session settings the stages were opened with. */
  public SessionSettings sessionSettings() {
    return settings;
  }

  /**
   * The VAE encoder, loaded on first use.
   *
   * @throws atelier.BadRequestException when the export has none (text-to-image only)
   */
  public synchronized VaeEncoder vaeEncoder() {
    if (vaeEncoder == null) {
      if (!folder.hasGraph("vae_encoder")) {
        throw noImageToImage(folder.root());
      }
      vaeEncoder = VaeEncoder.open(folder.graph("vae_encoder"), settings);
    }
    return vaeEncoder;
  }

  /** The error for image-to-image on an export without a VAE encoder. */
  static atelier.BadRequestException noImageToImage(Path root) {
    return new atelier.BadRequestException(
        "init image: image-to-image needs a VAE encoder; expected "
            + root.resolve("vae_encoder/model.onnx")
            + ", found none (this export is text-to-image only)");
  }

  /** A separate ControlNet's stage, opened on first use and kept with the model. */
  ControlNet controlNet(Path path) {
    return control.controlNet(path, settings);
  }

  /** The UNet that takes ControlNet residuals (see {@link ControlStages#residualUnet}). */
  Unet residualUnet() {
    return control.residualUnet(folder.root(), unet, settings);
  }

  /** The model's content hash (hex SHA-256, see {@link ModelHasher}), computed once. */
  public synchronized String hash() {
    if (hash == null) {
      hash = new ModelHasher(ModelHasher.defaultCacheDir()).hash(folder.root());
    }
    return hash;
  }

  /**
   * Generates the images a request asks for.
   *
   * @param listener receives progress (encode, each step of each image, decode)
   * @param cancel checked between steps
   */
  public GenerationResult generate(
      GenerationRequest request, ProgressListener listener, CancelToken cancel) {
    return generate(request, listener, cancel, null);
  }

  /**
   * Generates, handing each image to {@code onImage} as soon as it is made (so a caller can save it
   * before the next one starts and keep finished images if the run is cancelled).
   */
  public GenerationResult generate(
      GenerationRequest request,
      ProgressListener listener,
      CancelToken cancel,
      java.util.function.Consumer<Artwork> onImage) {
    if (closed) {
      throw new IllegalStateException("model " + folder.root() + " is closed");
    }
    return new Generation(this, request, listener, cancel, onImage).run();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    for (AutoCloseable c :
        new AutoCloseable[] {textEncoder, unet, vaeDecoder, vaeEncoder, taesd, control}) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing model " + folder.root() + " failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT, "%s (%s, %s)", info.id(), info.family().id(), info.variant().id());
  }
}
