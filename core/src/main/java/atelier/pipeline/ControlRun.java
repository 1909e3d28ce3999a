package atelier.pipeline;

import atelier.BadRequestException;
import atelier.image.ImageTensors;
import atelier.image.Resize;
import atelier.model.Tensor;
import atelier.model.TensorSpec;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ControlNets of one run, checked and ready before any model work: control images fitted to the
 * output size (in [0, 1], as diffusers' control image processor gives them), the ControlNet stages
 * and the UNet that takes their residuals (or the fused UNet), following diffusers'
 * StableDiffusionControlNetPipeline: per step i of n a ControlNet acts when i/n ≥ start and (i+1)/n
 * ≤ end, its residuals are scaled and summed over ControlNets, and with guess mode only the prompt
 * half of the guidance batch gets them. Single use per run; {@link #forImage} gives each image its
 * step counter.
 */
final class ControlRun {
  /** The latent channels a ControlNet takes as its sample. */
  static final int LATENT_CHANNELS = 4;

  private final StableDiffusion model;
  private final Controls controls;
  private final List<float[]> images = new ArrayList<>();
  private final List<ControlNet> nets = new ArrayList<>();
  private final Unet residualUnet;
  private final boolean fused;
  private final int height;
  private final int width;

  private ControlRun(StableDiffusion model, Controls controls, int width, int height) {
    this.model = model;
    this.controls = controls;
    this.width = width;
    this.height = height;
    ControlInputs fusedInputs = model.unet().control();
    this.fused = fusedInputs.fusedSlots() > 0;
    if (fused) {
      checkFused(fusedInputs.fusedSlots());
      residualUnet = null;
    } else {
      for (ControlInput c : controls.inputs()) {
        if (c.path() == null) {
          throw new BadRequestException(
              "control "
                  + c.model()
                  + ": a slot number names a ControlNet fused into the UNet; this model has none"
                  + " (expected a ControlNet folder or id)");
        }
      }
      residualUnet = model.residualUnet();
      for (ControlInput c : controls.inputs()) {
        ControlNet net = model.controlNet(c.path());
        checkShapes(c, net);
        nets.add(net);
      }
    }
  }

  /**
   * Checks and loads everything the controls need and fits their images.
   *
   * @param notes receives a note per control image that had to be fitted
   */
  static ControlRun prepare(
      StableDiffusion model, Controls controls, GenerationSettings settings, List<String> notes) {
    ControlRun run = new ControlRun(model, controls, settings.width(), settings.height());
    for (ControlInput c : controls.inputs()) {
      BufferedImage img = c.image().image();
      if (img.getWidth() != settings.width() || img.getHeight() != settings.height()) {
        notes.add(
            String.format(
                Locale.ROOT,
                "control image %s is %d×%d; fitted to %d×%d (%s)",
                c.image().source(),
                img.getWidth(),
                img.getHeight(),
                settings.width(),
                settings.height(),
                settings.fit()));
      }
      BufferedImage fitted =
          Resize.fit(img, settings.width(), settings.height(), Resize.Fit.lookup(settings.fit()));
      float[][] rgb = ImageTensors.rgbPlanes(fitted);
      int plane = rgb[0].length;
      float[] data = new float[3 * plane];
      for (int ch = 0; ch < 3; ch++) {
        for (int i = 0; i < plane; i++) {
          data[ch * plane + i] = rgb[ch][i] / 255f;
        }
      }
      run.images.add(data);
      notes.add(describe(c));
    }
    return run;
  }

  private static String describe(ControlInput c) {
    return String.format(
        Locale.ROOT,
        "controlnet %s: image %s (sha256 %s), scale %s, steps %s-%s",
        c.model(),
        c.image().source(),
        c.image().sha256(),
        c.scale(),
        c.start(),
        c.end());
  }

  private void checkFused(int slots) {
    if (controls.guessMode()) {
      throw new BadRequestException(
          "guess mode: this model's ControlNets are fused into its UNet, which runs them on the"
              + " whole guidance batch; expected a separate ControlNet for guess mode");
    }
    if (controls.inputs().size() > slots) {
      throw new BadRequestException(
          "control: this model's UNet holds "
              + slots
              + " fused ControlNet(s); found "
              + controls.inputs().size()
              + " --control options");
    }
    for (ControlInput c : controls.inputs()) {
      if (c.slot() < 1 || c.slot() > slots) {
        throw new BadRequestException(
            "control "
                + c.model()
                + ": this model has ControlNets fused into its UNet; expected a slot number from 1"
                + " to "
                + slots
                + ", found "
                + (c.slot() == 0 ? "a separate ControlNet" : String.valueOf(c.slot())));
      }
    }
  }

  private void checkShapes(ControlInput c, ControlNet net) {
    List<TensorSpec> gives = net.residualOutputs();
    List<TensorSpec> takes = residualUnet.control().residuals();
    boolean same = gives.size() == takes.size();
    for (int i = 0; same && i < gives.size(); i++) {
      TensorSpec g = gives.get(i);
      TensorSpec t = takes.get(i);
      same = !(g.isStatic(1) && t.isStatic(1)) || g.shape()[1] == t.shape()[1];
    }
    if (!same) {
      throw new BadRequestException(
          "control "
              + c.model()
              + ": the ControlNet "
              + net.model().path()
              + " gives "
              + gives.size()
              + " residuals with channels "
              + channels(gives)
              + "; the UNet "
              + residualUnet.model().path()
              + " takes "
              + takes.size()
              + " with channels "
              + channels(takes)
              + " (a ControlNet for another model architecture)");
    }
  }

  private static List<String> channels(List<TensorSpec> specs) {
    return specs.stream().map(s -> s.isStatic(1) ? String.valueOf(s.shape()[1]) : "?").toList();
  }

  /** A fresh step counter for one image. */
  ForImage forImage(int steps) {
    return new ForImage(steps);
  }

  /** One image's UNet calls with its controls; {@link #step} before each sampler step. */
  final class ForImage implements UnetCall {
    private final int steps;
    private int index = -1;

    private ForImage(int steps) {
      this.steps = steps;
    }

    /** Moves to the next sampler step; returns this call for that step. */
    UnetCall step() {
      index++;
      return this;
    }

    @Override
    public Tensor predict(
        Tensor latents, double t, Tensor states, Tensor emb, int firstRow, boolean uncondFirst) {
      int n = latents.dim(0);
      int plane = 3 * height * width;
      if (fused) {
        int slots = model.unet().control().fusedSlots();
        float[] conds = new float[slots * n * plane];
        float[] scales = new float[slots];
        for (int k = 0; k < controls.inputs().size(); k++) {
          ControlInput c = controls.inputs().get(k);
          if (!c.activeAt(index, steps)) {
            continue;
          }
          int s = c.slot() - 1;
          scales[s] = (float) c.scale();
          for (int r = 0; r < n; r++) {
            System.arraycopy(images.get(k), 0, conds, (s * n + r) * plane, plane);
          }
        }
        return model
            .unet()
            .predict(
                latents,
                t,
                states,
                emb,
                model.unet().control().fused(conds, scales, n, height, width));
      }
      List<Tensor> sum = null;
      for (int k = 0; k < controls.inputs().size(); k++) {
        ControlInput c = controls.inputs().get(k);
        if (!c.activeAt(index, steps)) {
          continue;
        }
        List<Tensor> r =
            residuals(nets.get(k), c, images.get(k), latents, t, states, firstRow, uncondFirst);
        if (r != null) {
          sum = sum == null ? r : add(sum, r);
        }
      }
      if (sum == null) {
        return model.unet().predict(latents, t, states, emb);
      }
      Map<String, Tensor> extra = new HashMap<>();
      List<TensorSpec> names = residualUnet.control().residuals();
      for (int i = 0; i < names.size(); i++) {
        extra.put(names.get(i).name(), sum.get(i));
      }
      return residualUnet.predict(latents, t, states, emb, extra);
    }

    private List<Tensor> residuals(
        ControlNet net,
        ControlInput c,
        float[] image,
        Tensor latents,
        double t,
        Tensor states,
        int firstRow,
        boolean uncondFirst) {
      int n = latents.dim(0);
      int count = net.residualOutputs().size();
      double[] scales = new double[count];
      if (controls.guessMode()) {
        // diffusers: torch.logspace(-1, 0, count) × scale, from the shallowest residual to the mid.
        for (int i = 0; i < count; i++) {
          float e = count == 1 ? 0f : -1f + (float) i / (count - 1);
          scales[i] = (float) Math.pow(10, e) * (float) c.scale();
        }
      } else {
        java.util.Arrays.fill(scales, c.scale());
      }
      // Rows the ControlNet sees: all of them, or with guess mode only the prompt rows.
      List<Integer> rows = new ArrayList<>();
      for (int r = 0; r < n; r++) {
        boolean uncond = uncondFirst && firstRow + r == 0;
        if (!(controls.guessMode() && uncond)) {
          rows.add(r);
        }
      }
      if (rows.isEmpty()) {
        return null; // only the negative prompt's row in this call: no residuals (zeros)
      }
      // An inpainting UNet's input is [latents, mask, masked latents]; the ControlNet sees the
      // latents alone (diffusers' StableDiffusionControlNetInpaintPipeline).
      Tensor lat = latentChannels(rowsOf(latents, rows));
      Tensor st = rowsOf(states, rows);
      int plane = image.length;
      float[] imgs = new float[rows.size() * plane];
      for (int r = 0; r < rows.size(); r++) {
        System.arraycopy(image, 0, imgs, r * plane, plane);
      }
      List<Tensor> out =
          net.residuals(lat, t, st, Tensor.floats(imgs, rows.size(), 3, height, width), scales);
      if (rows.size() == n) {
        return out;
      }
      List<Tensor> full = new ArrayList<>();
      for (Tensor o : out) {
        long[] shape = o.shape().clone();
        int per = o.floatData().length / rows.size();
        shape[0] = n;
        float[] data = new float[n * per];
        for (int r = 0; r < rows.size(); r++) {
          System.arraycopy(o.floatData(), r * per, data, rows.get(r) * per, per);
        }
        full.add(Tensor.floats(data, shape));
      }
      return full;
    }
  }

  /** The first {@link #LATENT_CHANNELS} channels of an NCHW tensor (itself when it has no more). */
  static Tensor latentChannels(Tensor t) {
    long[] shape = t.shape();
    if (shape[1] == LATENT_CHANNELS) {
      return t;
    }
    int n = (int) shape[0];
    int plane = (int) (shape[2] * shape[3]);
    int per = (int) shape[1] * plane;
    float[] all = t.floatData();
    float[] data = new float[n * LATENT_CHANNELS * plane];
    for (int r = 0; r < n; r++) {
      System.arraycopy(all, r * per, data, r * LATENT_CHANNELS * plane, LATENT_CHANNELS * plane);
    }
    return Tensor.floats(data, n, LATENT_CHANNELS, shape[2], shape[3]);
  }

  private static Tensor rowsOf(Tensor t, List<Integer> rows) {
    long[] shape = t.shape().clone();
    float[] all = t.floatData();
    int per = all.length / (int) shape[0];
    if (rows.size() == shape[0]) {
      return t;
    }
    float[] data = new float[rows.size() * per];
    for (int r = 0; r < rows.size(); r++) {
      System.arraycopy(all, rows.get(r) * per, data, r * per, per);
    }
    shape[0] = rows.size();
    return Tensor.floats(data, shape);
  }

  private static List<Tensor> add(List<Tensor> a, List<Tensor> b) {
    List<Tensor> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      float[] x = a.get(i).floatData().clone();
      float[] y = b.get(i).floatData();
      for (int j = 0; j < x.length; j++) {
        x[j] += y[j];
      }
      out.add(Tensor.floats(x, a.get(i).shape()));
    }
    return out;
  }
}
