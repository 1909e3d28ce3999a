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
import atelier.jobs.OutputSink;
import atelier.jobs.RecipeSpec;
import atelier.pipeline.ArtworkPng;
import atelier.upscale.UpscalePng;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The production {@link JobExecutor}: reads a job's (kind, spec JSON) with core's {@link JobSpecs},
 * runs it with one shared {@link JobRunner} (whose model cache keeps pipelines warm between jobs),
 * reports progress to the job's {@link JobControl} and stops through its cancel token. Images are
 * made into a private temporary folder and handed back as bytes with their records; the worker then
 * writes them under their final names, so nothing a job makes is visible before it is done.
 *
 * <p>Thread-safe: several worker threads may run jobs on one executor.
 */
public final class CoreJobExecutor implements JobExecutor {
  private static final System.Logger LOG = System.getLogger(CoreJobExecutor.class.getName());
  private final JobRunner runner;
  private final Map<String, LiveProgress> live = new ConcurrentHashMap<>();

  /**
   * @param runner runs the specs; its model cache is shared by every job
   */
  public CoreJobExecutor(JobRunner runner) {
    this.runner = runner;
  }

  /** The progress of a job running in this process right now, if it is. */
  public Optional<LiveProgress> live(String jobId) {
    return Optional.ofNullable(live.get(jobId));
  }

  @Override
  public JobOutcome execute(Job job, JobControl control) throws IOException {
    JobSpec spec = JobSpecs.fromJson(job.kind(), job.spec());
    Path tmp = Files.createTempDirectory("atelier-job-");
    try {
      ProgressListener listener = p -> report(job.id(), control, p);
      JobResult result =
          runner.run(spec, new JobContext(listener, control.cancelToken(), OutputSink.folder(tmp)));
      String recipe = spec instanceof RecipeSpec r ? r.recipe() : null;
      List<OutputImage> out = new ArrayList<>();
      for (JobResult.Image image : result.images()) {
        out.add(output(image, recipe));
      }
      return new JobOutcome(out);
    } finally {
      live.remove(job.id());
      deleteTree(tmp);
    }
  }

  private void report(String jobId, JobControl control, Progress p) {
    if (p.stage() != Progress.Stage.DENOISE) {
      LiveProgress last = live.get(jobId);
      live.put(
          jobId,
          new LiveProgress(
              p.stage().name().toLowerCase(java.util.Locale.ROOT),
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

  private static OutputImage output(JobResult.Image image, String recipe) throws IOException {
    byte[] bytes = Files.readAllBytes(image.file());
    String record;
    Map<String, String> texts = PngText.read(image.file());
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
    String ext = dot > 0 ? name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT) : "png";
    if (!ext.matches("[a-z0-9]{1,8}")) {
      throw new BadRequestException("output " + name + ": expected an image file, found " + ext);
    }
    return new OutputImage(ext, bytes, prompt, model, recipe, record);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      // The outcome is already in memory; a leftover temporary folder only costs disk space.
      LOG.log(System.Logger.Level.WARNING, "cannot remove " + dir + ": " + e);
    }
  }
}
