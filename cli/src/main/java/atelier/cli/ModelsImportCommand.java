package atelier.cli;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.CancelToken;
import atelier.model.DownloadListener;
import atelier.model.ModelKind;
import atelier.model.ModelManifest;
import atelier.model.OnnxModel;
import atelier.model.SessionSettings;
import atelier.model.Sizes;
import atelier.model.lora.LoraStore;
import atelier.pipeline.StableDiffusion;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier models import DIR}: register a model folder the user already has. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Check a model folder you already have and add it to the store.",
      "Any exporter layout in docs/models.md; hard links where possible, else a copy; every",
      "file is hashed for verify. A single-file SD 1.x/2.x checkpoint (.safetensors) is",
      "converted to ONNX first."
    })
final class ModelsImportCommand implements Callable<Integer>, Terminal.JsonAware {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "The model folder (or a .safetensors checkpoint).")
  Path dir;

  @Option(names = "--id", paramLabel = "ID", description = "Store id (default: from DIR's name).")
  String id;

  @Option(
      names = "--kind",
      paramLabel = "KIND",
      description =
          "pipeline (default), upscaler, clip, aesthetic, controlnet or lora (a .safetensors file).")
  String kind;

  @Option(
      names = "--device",
      paramLabel = "DEV",
      description = "Device to load the graphs on for the check: cpu (default) or cuda.")
  String device;

  @Option(names = "--replace", description = "Replace an installed model with the same id.")
  boolean replace;

  @Option(names = "--json", description = "Print the manifest as JSON.")
  boolean json;

  @Option(
      names = "--family",
      paramLabel = "FAMILY",
      description = "Checkpoints: sd1, sd2 or sd2-v (default: told from the file).")
  String family;

  @Option(
      names = "--vae",
      paramLabel = "FILE",
      description = "Checkpoints: a VAE .safetensors whose weights replace the checkpoint's.")
  Path vae;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() {
    AtelierHome home = Home.of(spec);
    if (UpscalerPackages.isPackage(dir)) {
      if (id != null) {
        throw new BadRequestException(
            "--id "
                + id
                + ": an UpscalerJS package installs one upscaler per scale under the package's own"
                + " ids (such as esrgan-thick-x4); expected no --id, found one");
      }
      List<String> ids = UpscalerPackages.install(home, dir);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(ModelsCommand.JSON.valueToTree(java.util.Map.of("installed", ids)));
      } else {
        out.println(
            "converted the UpscalerJS package "
                + dir
                + " to ONNX and installed: "
                + String.join(", ", ids));
      }
      out.flush();
      return 0;
    }
    if ("lora".equalsIgnoreCase(kind)) {
      return importLora(home);
    }
    if (atelier.model.checkpoint.CheckpointImport.converts(dir)
        && (kind == null || ModelKind.lookup(kind) == ModelKind.PIPELINE)) {
      return Checkpoints.install(
          home,
          new atelier.model.checkpoint.CheckpointImport.Request(dir, id, family, vae, replace),
          settings(home),
          json,
          spec.commandLine().getOut(),
          spec.commandLine().getErr());
    }
    if (family != null || vae != null) {
      throw new BadRequestException(
          (family != null ? "--family" : "--vae")
              + ": expected a .safetensors checkpoint to convert, found "
              + dir);
    }
    ModelKind k = kind == null ? ModelKind.PIPELINE : ModelKind.lookup(kind);
    SessionSettings settings = settings(home);
    ModelManifest m =
        Home.store(home)
            .importFolder(
                dir, id, k, check(k, settings), replace, DownloadListener.NONE, CancelToken.NONE);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(ModelsCommand.JSON.valueToTree(m));
    } else {
      out.println(
          "imported "
              + m.id()
              + " from "
              + dir
              + " ("
              + m.files().size()
              + " files, "
              + Sizes.human(m.totalSize())
              + ") into "
              + Home.store(home).folder(m.id()));
    }
    out.flush();
    return 0;
  }

  /** {@code --kind lora}: checks the file as a kohya/A1111 LoRA and copies it into loras/. */
  private int importLora(AtelierHome home) {
    Path installed = LoraStore.of(home).importFile(dir, id);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(
          ModelsCommand.JSON.valueToTree(
              java.util.Map.of(
                  "lora", installed.getFileName().toString(), "file", installed.toString())));
    } else {
      out.println("imported LoRA " + dir + " as " + installed);
    }
    out.flush();
    return 0;
  }

  private SessionSettings settings(AtelierHome home) {
    return Home.sessionSettings(home, device);
  }

  /**
   * A pipeline must load the way {@code generate} loads it; other kinds must have ONNX graphs that
   * ONNX Runtime opens.
   */
  static Consumer<Path> check(ModelKind kind, SessionSettings settings) {
    if (kind == ModelKind.PIPELINE) {
      return d -> StableDiffusion.load(d, settings).close();
    }
    if (kind == ModelKind.CONTROLNET) {
      return d -> atelier.pipeline.ControlNet.open(d, settings).close();
    }
    return d -> {
      List<Path> graphs;
      try (Stream<Path> s = Files.walk(d)) {
        graphs = s.filter(p -> p.getFileName().toString().endsWith(".onnx")).toList();
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + d + " failed", e);
      }
      if (graphs.isEmpty()) {
        throw new atelier.ModelLoadException(
            "model "
                + d
                + ": expected at least one .onnx graph for a "
                + kind.id()
                + " model, found none");
      }
      for (Path g : graphs) {
        OnnxModel.open(kind.id(), g, settings).close();
      }
    };
  }
}
