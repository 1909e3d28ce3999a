package atelier.pipeline;

import atelier.BadRequestException;
import atelier.model.SessionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ControlNet stages a loaded model has opened: separate ControlNets by path, and the UNet that
 * takes their residuals. Opened on first use, kept warm with the model, closed with it.
 * Thread-safe.
 */
final class ControlStages implements AutoCloseable {
  /** Where exporters put the UNet that takes ControlNet residuals, beside {@code unet/}. */
  static final List<String> RESIDUAL_UNETS = List.of("controlnet/model.onnx", "cnet/model.onnx");

  private final Map<Path, ControlNet> nets = new LinkedHashMap<>();
  private Unet residualUnet;
  private boolean closed;

  synchronized ControlNet controlNet(Path path, SessionSettings settings) {
    check();
    Path key = path.toAbsolutePath().normalize();
    ControlNet net = nets.get(key);
    if (net == null) {
      net = ControlNet.open(key, settings);
      nets.put(key, net);
    }
    return net;
  }

  /**
   * The model's UNet when it takes residuals itself, else OnnxStack's {@code controlnet/model.onnx}
   * or onnx-web's {@code cnet/model.onnx}.
   *
   * @throws BadRequestException naming the places looked at when the export has none
   */
  synchronized Unet residualUnet(Path root, Unet unet, SessionSettings settings) {
    check();
    if (unet.control().takesResiduals()) {
      return unet;
    }
    if (residualUnet == null) {
      for (String candidate : RESIDUAL_UNETS) {
        Path graph = root.resolve(candidate);
        if (Files.isRegularFile(graph)) {
          Unet u = Unet.open(graph, settings);
          if (!u.control().takesResiduals()) {
            u.close();
            continue;
          }
          int own = unet.declaredSampleChannels();
          int takes = u.declaredSampleChannels();
          if (own > 0 && takes > 0 && own != takes) {
            u.close();
            throw new BadRequestException(
                "control: the model's UNet "
                    + unet.model().path()
                    + " takes "
                    + own
                    + " channels"
                    + (own == 9 ? " (an inpainting UNet)" : "")
                    + " but its ControlNet UNet "
                    + graph
                    + " takes "
                    + takes
                    + "; expected a ControlNet UNet exported from the same UNet");
          }
          residualUnet = u;
          break;
        }
      }
    }
    if (residualUnet == null) {
      throw new BadRequestException(
          "control: the model "
              + root
              + " has no UNet that takes ControlNet residuals; expected "
              + String.join(" or ", RESIDUAL_UNETS)
              + " (OnnxStack, onnx-web) or a UNet with ControlNets fused in (diffusers'"
              + " ControlNet conversion script), found none");
    }
    return residualUnet;
  }

  private void check() {
    if (closed) {
      throw new IllegalStateException("control stages are closed");
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<AutoCloseable> all = new ArrayList<>(nets.values());
    if (residualUnet != null) {
      all.add(residualUnet);
    }
    RuntimeException failure = null;
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing a ControlNet stage failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
