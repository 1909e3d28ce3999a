package atelier.cli;

import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.Progress;
import atelier.ProgressListener;
import atelier.jobs.JobContext;
import atelier.jobs.JobResult;
import atelier.jobs.ModelCache;
import atelier.jobs.OutputSink;
import atelier.jobs.UpscaleSpec;
import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.pipeline.ArtworkPng;
import atelier.upscale.UpscaleOptions;
import atelier.upscale.UpscaleRecord;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier upscale IN.png}: neural super-resolution of one image, tiled. */
@Command(
    name = "upscale",
    mixinStandardHelpOptions = true,
    description = {
      "Upscale an image with a super-resolution model (ESRGAN family, ONNX).",
      "The output keeps the input's PNG text chunks and adds the upscale step."
    })
final class UpscaleCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "IN", description = "The image (PNG, JPEG, BMP or GIF).")
  Path input;

  @Option(
      names = {"-s", "--scale"},
      paramLabel = "N",
      defaultValue = "4",
      description = "Factor: 2, 3, 4 or 8 (default ${DEFAULT-VALUE}).")
  int scale;

  @Option(
      names = {"-m", "--model"},
      paramLabel = "ID|DIR",
      description =
          "Installed upscaler id (esrgan-slim-x4) or family (esrgan-slim), a model folder or an"
              + " .onnx file (default: the first installed of esrgan-medium, -slim, -thick).")
  String model;

  @Option(
      names = "--tile",
      paramLabel = "N",
      description = "Tile side in input pixels; 0 = whole image (default: from --memory).")
  Integer tile;

  @Option(
      names = "--overlap",
      paramLabel = "N",
      description =
          "Tile overlap in input pixels (default " + UpscaleOptions.DEFAULT_OVERLAP + ").")
  Integer overlap;

  @Option(
      names = "--memory",
      paramLabel = "MB",
      description = "Working memory per model run for automatic tiles (default 1024).")
  Long memoryMb;

  @Option(
      names = "--alpha",
      paramLabel = "MODE",
      description = "Transparency: model (default, as Real-ESRGAN) or lanczos (faster).")
  String alpha;

  @Option(
      names = {"-o", "--out"},
      paramLabel = "FILE",
      description = "Output PNG (default: IN-x<scale>.png beside the input).")
  Path out;

  @Option(names = "--device", paramLabel = "DEV", description = "cpu (default) or cuda.")
  String device;

  @Option(names = "--threads", paramLabel = "N", description = "CPU threads per operator.")
  Integer threads;

  @Option(names = "--json", description = "Print one JSON document; no progress.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    // The spec checks the scale and the tiling options with the messages every front end shares.
    UpscaleSpec job =
        new UpscaleSpec(input.toString(), null, scale, model, tile, overlap, memoryMb, alpha);
    int threadCount = ModelRun.checkThreads(threads);
    Path target = out != null ? out : defaultOutput(input, scale);
    if (!target.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      throw new BadRequestException("--out: expected a .png file name, found " + target);
    }
    SessionSettings settings =
        new SessionSettings(device == null ? Device.CPU : Device.lookup(device), threadCount, 0);
    PrintWriter err = spec.commandLine().getErr();
    ProgressListener progress =
        !json && System.console() != null ? new TileProgress(err) : ProgressListener.NONE;
    try (ModelCache cache = Jobs.oneShot()) {
      JobResult r =
          Jobs.runner(spec, settings, cache, false, json)
              .run(job, new JobContext(progress, new CancelToken(), OutputSink.file(target)));
      JobResult.Image image = r.images().get(0);
      report(image.file(), image.upscale());
    }
    return 0;
  }

  static Path defaultOutput(Path input, int scale) {
    String name = input.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    return input.resolveSibling(stem + "-x" + scale + ".png");
  }

  private void report(Path target, UpscaleRecord rec) {
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      ObjectNode root = ArtworkPng.json().createObjectNode();
      root.put("file", target.toString());
      root.set("record", ArtworkPng.json().valueToTree(rec));
      o.println(root.toString());
    } else {
      o.println(
          String.format(
              Locale.ROOT,
              "wrote %s  (%d×%d → %d×%d, %s ×%d%s%s, %.1f s)",
              target,
              rec.inputWidth(),
              rec.inputHeight(),
              rec.width(),
              rec.height(),
              rec.model(),
              rec.modelScale(),
              rec.passes() > 1 ? ", " + rec.passes() + " passes" : "",
              rec.tile() > 0 ? ", tiles of " + rec.tile() : "",
              rec.millis() / 1000.0));
    }
    o.flush();
  }

  /** A one-line tile counter on standard error (terminals only). */
  private static final class TileProgress implements ProgressListener {
    private final PrintWriter err;

    TileProgress(PrintWriter err) {
      this.err = err;
    }

    @Override
    public void onProgress(Progress p) {
      if (p.stage() != Progress.Stage.UPSCALE) {
        return;
      }
      err.print(String.format(Locale.ROOT, "\rupscale: tile %d/%d", p.step(), p.total()));
      if (p.step() == p.total()) {
        err.println();
      }
      err.flush();
    }
  }
}
