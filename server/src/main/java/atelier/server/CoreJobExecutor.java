package atelier.server;

import atelier.BadRequestException;
import atelier.Progress;
import atelier.ProgressListener;
import atelier.image.PngText;
import atelier.jobs.JobContext;
import atelier.jobs.JobResult;
import atelier.jobs.JobRunner;
import atelier.jobs.JobSpec;
import atelier.jobs.JobSpecs;
import atelier.jobs.RecipeSpec;
import atelier.pipeline.ArtworkPng;
import atelier.pipeline.LatentPreview;
import atelier.pipeline.LatentsListener;
import atelier.upscale.UpscalePng;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Node;

/**
 * The production {@link JobExecutor}: reads a job's (kind, spec JSON) with core's {@link JobSpecs},
 * runs it with one shared {@link JobRunner} (whose model cache keeps pipelines warm between jobs),
 * reports progress to the job's {@link JobControl} and stops through its cancel token. Images are
 * kept in memory ({@link MemorySink}) and handed back as bytes with their records; the worker then
 * writes them under their final names, so nothing a job makes is visible before it is done. Recipe
 * runs and sweeps, which write their own files, use a private temporary folder.
 *
 * <p>Thread-safe: several worker threads may run jobs on one executor.
 */
public final class CoreJobExecutor implements JobExecutor {
  private static final System.Logger LOG = System.getLogger(CoreJobExecutor.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private final JobRunner runner;
  private final LatentPreview previewer;
  private final Map<String, LiveProgress> live = new ConcurrentHashMap<>();
  private final Map<String, Preview> previews = new ConcurrentHashMap<>();

  /**
   * A preview picture of a running job, made from its latents.
   *
   * @param image the image of the job it shows (0-based)
   * @param step the denoising step of that image it shows
   * @param png the picture as a PNG file
   */
  public record Preview(int image, int step, byte[] png) {}

  /**
   * An executor with cheap previews ({@link LatentPreview#cheap}, enlarged twice).
   *
   * @param runner runs the specs; its model cache is shared by every job
   */
  public CoreJobExecutor(JobRunner runner) {
    this(runner, LatentPreview.cheap(2));
  }

  /**
   * @param runner runs the specs; its model cache is shared by every job
   * @param previewer makes the progress previews (about ten per image), or null for none
   */
  public CoreJobExecutor(JobRunner runner, LatentPreview previewer) {
    this.runner = runner;
    this.previewer = previewer;
  }

  /** The latest preview of a job running in this process, if one was made yet. */
  public Optional<Preview> preview(String jobId) {
    return Optional.ofNullable(previews.get(jobId));
  }

  /** The progress of a job running in this process right now, if it is. */
  public Optional<LiveProgress> live(String jobId) {
    return Optional.ofNullable(live.get(jobId));
  }

  @Override
  public JobOutcome execute(Job job, JobControl control) throws IOException {
    JobSpec spec = JobSpecs.fromJson(job.kind(), job.spec());
    try (MemorySink sink = new MemorySink()) {
      ProgressListener listener = listener(job.id(), control);
      JobResult result = runner.run(spec, new JobContext(listener, control.cancelToken(), sink));
      String recipe = spec instanceof RecipeSpec r ? r.recipe() : null;
      List<OutputImage> out = new ArrayList<>();
      for (JobResult.Image image : result.images()) {
        out.add(output(image, sink.bytes(image.file()), recipe));
      }
      return new JobOutcome(out, result(result));
    } finally {
      live.remove(job.id());
      previews.remove(job.id());
    }
  }

  private ProgressListener listener(String jobId, JobControl control) {
    if (previewer == null) {
      return p -> report(jobId, control, p);
    }
    return new LatentsListener() {
      @Override
      public void onProgress(Progress p) {
        report(jobId, control, p);
      }

      @Override
      public void onLatents(float[] latents, int channels, int height, int width, Progress p) {
        // About ten previews an image, and always the last step's.
        int every = Math.max(1, p.total() / 10);
        if (p.step() % every != 0 && p.step() != p.total()) {
          return;
        }
        try {
          BufferedImage img = previewer.preview(latents, channels, height, width);
          previews.put(jobId, new Preview(p.image(), p.step(), PngText.encode(img, Map.of())));
        } catch (RuntimeException e) {
          // A preview is a nicety: a latent layout the previewer cannot read must not stop the job.
          LOG.log(System.Logger.Level.DEBUG, "no preview for job " + jobId + ": " + e.getMessage());
        }
      }
    };
  }

  /**
   * What the job reports besides its images, as the queue stores it: {@code notes} and, for
   * best-of-N, {@code selection} (the report the CLI writes as {@code selection-SEED.json}: every
   * candidate with its seed, score, per-scorer details, whether it was kept and why it was
   * rejected), without the file names, which were never real files here.
   */
  static String result(JobResult result) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    if (result.selection() != null) {
      JsonNode report = JSON.readTree(result.selection().json());
      for (JsonNode image : report.path("images")) {
        ((ObjectNode) image).remove("file");
      }
      n.set("selection", report);
    }
    ArrayNode notes = n.putArray("notes");
    result.notes().forEach(notes::add);
    return JSON.writeValueAsString(n);
  }

  private void report(String jobId, JobControl control, Progress p) {
    if (p.stage() != Progress.Stage.DENOISE) {
      LiveProgress last = live.get(jobId);
      live.put(
          jobId,
          new LiveProgress(
              p.stage().name().toLowerCase(Locale.ROOT),
              last == null ? 0 : last.step(),
              last == null ? Math.max(1, p.images() * p.total()) : last.total(),
              last == null ? 0 : last.rate(),
              last == null ? -1 : last.etaSeconds()));
      return;
    }
    int step = p.image() * p.total() + p.step();
    int total = p.images() * p.total();
    double rate = p.rate();
    double eta = rate > 0 ? (total - step) / rate : -1;
    control.progress(step, total);
    live.put(jobId, new LiveProgress("denoise", step, total, rate, eta));
  }

  private static OutputImage output(JobResult.Image image, byte[] bytes, String recipe)
      throws IOException {
    Map<String, String> texts = pngTexts(bytes);
    String hidden = withoutModelFolder(texts.get(ArtworkPng.RECORD));
    if (hidden != null) {
      bytes = PngChunks.replaceText(bytes, ArtworkPng.RECORD, hidden);
      texts.put(ArtworkPng.RECORD, hidden);
    }
    String record;
    if (texts.containsKey(ArtworkPng.RECORD)) {
      record = texts.get(ArtworkPng.RECORD);
    } else if (texts.containsKey(UpscalePng.RECORDS)) {
      record = texts.get(UpscalePng.RECORDS);
    } else if (image.record() != null) {
      record = ArtworkPng.json().writeValueAsString(image.record());
    } else {
      record = null;
    }
    String prompt = image.record() == null ? null : image.record().settings().prompt();
    String model =
        image.record() == null || image.record().model() == null
            ? null
            : image.record().model().id();
    String name = image.file().getFileName().toString();
    int dot = name.lastIndexOf('.');
    String ext = dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "png";
    if (!ext.matches("[a-z0-9]{1,8}")) {
      throw new BadRequestException("output " + name + ": expected an image file, found " + ext);
    }
    return new OutputImage(ext, bytes, prompt, model, recipe, record);
  }

  /**
   * A record JSON whose {@code model.path} (the server's model folder: an offered {@code --model
   * DIR} or the data folder's store) is replaced by the model's id, or null when there is nothing
   * to replace. Clients see which model made an image, never where it lives on the server; {@code
   * --from} and {@code png-info} still find an id there.
   */
  static String withoutModelFolder(String record) throws IOException {
    if (record == null) {
      return null;
    }
    JsonNode root = JSON.readTree(record);
    JsonNode model = root.path("model");
    if (!model.isObject() || !model.hasNonNull("id") || !model.hasNonNull("path")) {
      return null;
    }
    String id = model.get("id").asText();
    if (model.get("path").asText().equals(id)) {
      return null;
    }
    ((ObjectNode) model).put("path", id);
    return ArtworkPng.json().writeValueAsString(root);
  }

  /**
   * The text chunks of a PNG this job just made (tEXt, zTXt, iTXt, as ImageIO's PNG reader gives
   * them; the pixels are not decoded); empty for another format. The bytes are our own output, so
   * no input limits apply.
   */
  static Map<String, String> pngTexts(byte[] png) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
      Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
      if (in == null || !readers.hasNext()) {
        return out;
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, false);
        IIOMetadata meta = reader.getImageMetadata(0);
        Node root = meta.getAsTree("javax_imageio_png_1.0");
        for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
          String type = chunk.getNodeName();
          String value =
              switch (type) {
                case "tEXt" -> "value";
                case "zTXt", "iTXt" -> "text";
                default -> null;
              };
          if (value == null) {
            continue;
          }
          for (Node e = chunk.getFirstChild(); e != null; e = e.getNextSibling()) {
            var attrs = e.getAttributes();
            out.put(
                attrs.getNamedItem("keyword").getNodeValue(),
                attrs.getNamedItem(value).getNodeValue());
          }
        }
      } catch (javax.imageio.IIOException e) {
        return out;
      } finally {
        reader.dispose();
      }
    }
    return out;
  }
}
