package atelier.upscale;

import atelier.ModelLoadException;
import atelier.Version;
import atelier.upscale.TfjsLayersModel.Layer;
import atelier.upscale.TfjsLayersModel.TensorRef;
import atelier.upscale.TfjsLayersModel.Weight;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Converts a TensorFlow.js layers super-resolution model into an ONNX graph with Atelier's upscaler
 * convention: input {@code input} NCHW RGB float in [0, 1], output {@code output} NCHW RGB at the
 * model's scale, in [0, 1] before clamping. The model's own value range (UpscalerJS: [0, 255] for
 * the RDN models, [0, 1] for RRDN) is applied inside the graph.
 *
 * <p>Layers supported: {@code InputLayer}, {@code Conv2D} (channels-last, any kernel, 'same' or
 * 'valid'), {@code Activation}/{@code ReLU}, {@code Add}, {@code Multiply}, {@code Concatenate},
 * {@code UpSampling2D} (nearest), and UpscalerJS's custom {@code MultiplyBeta} (× beta, 0.2) and
 * {@code PixelShuffle<N>x} ({@code tf.depthToSpace}, which is ONNX DepthToSpace in DCR order).
 * Keras tensors are NHWC; the graph is NCHW throughout, so kernels are transposed from HWIO to OIHW
 * and channel axes renumbered. Stateless.
 */
public final class LayersToOnnx {
  /** Names of the layer classes the converter understands, for messages. */
  public static final Set<String> SUPPORTED =
      Set.of(
          "InputLayer",
          "Conv2D",
          "Activation",
          "ReLU",
          "Add",
          "Multiply",
          "Concatenate",
          "UpSampling2D",
          "MultiplyBeta",
          "PixelShuffle<N>x");

  /** UpscalerJS's MultiplyBeta multiplies by this constant, whatever the layer config says. */
  private static final float UPSCALERJS_BETA = 0.2f;

  private LayersToOnnx() {}

  /**
   * The converted graph.
   *
   * @param model serialised ONNX ModelProto
   * @param scale output size / input size, from the upsampling layers
   * @param peakFloatsPerPixel floats per input pixel of the largest node's inputs and output
   *     together: a floor for the working memory a run needs (× 4 bytes × pixels)
   * @param layers number of layers converted
   */
  public record Converted(byte[] model, int scale, long peakFloatsPerPixel, int layers) {}

  /** Shape facts tracked per value: channels and spatial size relative to the input. */
  private record Info(int channels, double factor) {
    double floatsPerPixel() {
      return channels * factor * factor;
    }
  }

  /**
   * Converts {@code source}.
   *
   * @param inputMax the model's input range upper end: 255 or 1 (outputs share the range)
   * @param name the graph name
   * @throws ModelLoadException when a layer is not supported or the model is not an RGB → RGB image
   *     model
   */
  public static Converted convert(TfjsLayersModel source, float inputMax, String name) {
    if (source.inputs().size() != 1 || source.outputs().size() != 1) {
      throw new ModelLoadException(
          source.origin()
              + ": expected one input and one output, found "
              + source.inputs().size()
              + " and "
              + source.outputs().size());
    }
    return new Converter(source, inputMax, name).run();
  }

  private static final class Converter {
    private final TfjsLayersModel source;
    private final float inputMax;
    private final OnnxGraph graph;
    private final Map<String, Info> infos = new HashMap<>();
    private double peak;

    Converter(TfjsLayersModel source, float inputMax, String name) {
      this.source = source;
      this.inputMax = inputMax;
      this.graph = new OnnxGraph(name);
    }

    Converted run() {
      graph.input("input", "batch", "3", "height", "width");
      String inputLayer = source.inputs().get(0).layer();
      for (Layer l : source.layers()) {
        if (l.className().equals("InputLayer")) {
          if (!l.name().equals(inputLayer)) {
            throw fail(l, "expected the only input layer to be " + inputLayer);
          }
          JsonNode shape = l.config().path("batch_input_shape");
          if (shape.size() != 4 || shape.get(3).asInt() != 3) {
            throw fail(l, "expected an NHWC RGB input [batch, height, width, 3], found " + shape);
          }
          String v = value(new TensorRef(l.name(), 0, 0));
          scalar(v + "/range", inputMax);
          graph.node("Mul", List.of("input", v + "/range"), List.of(v));
          infos.put(v, new Info(3, 1));
          continue;
        }
        for (int call = 0; call < l.inbound().size(); call++) {
          List<String> in = new ArrayList<>();
          for (TensorRef r : l.inbound().get(call)) {
            String v = value(r);
            if (!infos.containsKey(v)) {
              throw fail(l, "its input " + r.layer() + " is not computed before it");
            }
            in.add(v);
          }
          String out = value(new TensorRef(l.name(), call, 0));
          infos.put(out, layer(l, in, out));
          double sum = infos.get(out).floatsPerPixel();
          for (String i : in) {
            sum += infos.get(i).floatsPerPixel();
          }
          peak = Math.max(peak, sum);
        }
      }
      String last = value(source.outputs().get(0));
      Info info = infos.get(last);
      if (info == null || info.channels() != 3) {
        throw new ModelLoadException(
            source.origin() + ": expected an RGB output (3 channels), found " + info);
      }
      scalar("output/range", inputMax);
      graph.node("Div", List.of(last, "output/range"), List.of("output"));
      graph.output("output", "batch", "3", "out_height", "out_width");
      double f = info.factor();
      int scale = (int) Math.round(f);
      if (scale < 1 || Math.abs(f - scale) > 1e-9) {
        throw new ModelLoadException(
            source.origin() + ": expected a whole upscaling factor, found " + f);
      }
      graph.metadata("atelier.scale", Integer.toString(scale));
      graph.metadata("atelier.input_range", "0.." + (int) inputMax);
      graph.doc("Converted by Atelier from the TensorFlow.js layers model " + source.origin());
      return new Converted(
          graph.toModel(Version.SOFTWARE), scale, (long) Math.ceil(peak), source.layers().size());
    }

    private Info layer(Layer l, List<String> in, String out) {
      String cls = l.className();
      JsonNode c = l.config();
      Info first = infos.get(in.get(0));
      switch (cls) {
        case "Conv2D" -> {
          return conv(l, in, out, first);
        }
        case "Activation" -> {
          activation(l, c.path("activation").asText(), in.get(0), out);
          return first;
        }
        case "ReLU" -> {
          if (c.path("max_value").isNumber() || c.path("negative_slope").asDouble(0) != 0) {
            throw fail(l, "expected a plain ReLU (no max_value, no negative_slope)");
          }
          graph.node("Relu", in, List.of(out));
          return first;
        }
        case "Add", "Multiply" -> {
          sameShapes(l, in);
          String op = cls.equals("Add") ? "Add" : "Mul";
          String acc = in.get(0);
          for (int i = 1; i < in.size(); i++) {
            String o = i == in.size() - 1 ? out : out + "/" + i;
            graph.node(op, List.of(acc, in.get(i)), List.of(o));
            acc = o;
          }
          return first;
        }
        case "Concatenate" -> {
          int axis = c.path("axis").asInt(-1);
          if (axis != -1 && axis != 3) {
            throw fail(l, "expected concatenation on the channel axis (-1 or 3), found " + axis);
          }
          int channels = 0;
          for (String i : in) {
            if (infos.get(i).factor() != first.factor()) {
              throw fail(l, "expected inputs of one spatial size");
            }
            channels += infos.get(i).channels();
          }
          graph.node("Concat", in, List.of(out), OnnxGraph.attr("axis", 1L));
          return new Info(channels, first.factor());
        }
        case "UpSampling2D" -> {
          String interpolation = c.path("interpolation").asText("nearest");
          if (!interpolation.equals("nearest") || !channelsLast(c)) {
            throw fail(l, "expected nearest interpolation, channels last; found " + interpolation);
          }
          JsonNode size = c.path("size");
          int sh = size.get(0).asInt();
          int sw = size.get(1).asInt();
          if (sh != sw) {
            throw fail(l, "expected the same factor on both axes, found " + sh + "×" + sw);
          }
          String scales = out + "/scales";
          graph.initializer(scales, new float[] {1, 1, sh, sw}, 4);
          graph.node(
              "Resize",
              List.of(in.get(0), "", scales),
              List.of(out),
              OnnxGraph.attr("mode", "nearest"),
              OnnxGraph.attr("coordinate_transformation_mode", "asymmetric"),
              OnnxGraph.attr("nearest_mode", "floor"));
          return new Info(first.channels(), first.factor() * sh);
        }
        case "MultiplyBeta" -> {
          scalar(out + "/beta", UPSCALERJS_BETA);
          graph.node("Mul", List.of(in.get(0), out + "/beta"), List.of(out));
          return first;
        }
        default -> {
          if (cls.matches("PixelShuffle\\d+x")) {
            int s = c.path("scale").asInt(Integer.parseInt(cls.replaceAll("\\D", "")));
            if (first.channels() % (s * s) != 0) {
              throw fail(l, "expected channels divisible by " + s * s + ", found " + first);
            }
            graph.node(
                "DepthToSpace",
                in,
                List.of(out),
                OnnxGraph.attr("blocksize", (long) s),
                OnnxGraph.attr("mode", "DCR"));
            return new Info(first.channels() / (s * s), first.factor() * s);
          }
          throw fail(
              l,
              "layer class "
                  + cls
                  + " is not supported; supported: "
                  + SUPPORTED.stream().sorted().toList());
        }
      }
    }

    private Info conv(Layer l, List<String> in, String out, Info x) {
      JsonNode c = l.config();
      if (!channelsLast(c)) {
        throw fail(l, "expected data_format channels_last");
      }
      int kh = c.path("kernel_size").get(0).asInt();
      int kw = c.path("kernel_size").get(1).asInt();
      int sh = c.path("strides").path(0).asInt(1);
      int sw = c.path("strides").path(1).asInt(1);
      int dh = c.path("dilation_rate").path(0).asInt(1);
      int dw = c.path("dilation_rate").path(1).asInt(1);
      int groups = c.path("groups").asInt(1);
      if (sh != 1 || sw != 1) {
        throw fail(l, "expected strides 1, found " + sh + "×" + sw);
      }
      Weight kernel = weight(l, "kernel");
      int[] s = kernel.shape();
      if (s.length != 4 || s[0] != kh || s[1] != kw || s[2] * groups != x.channels()) {
        throw fail(
            l,
            "expected a kernel ["
                + kh
                + ", "
                + kw
                + ", "
                + x.channels() / groups
                + ", filters]"
                + ", found "
                + java.util.Arrays.toString(s));
      }
      int cin = s[2];
      int cout = s[3];
      float[] hwio = kernel.data();
      float[] oihw = new float[hwio.length];
      for (int h = 0; h < kh; h++) {
        for (int w = 0; w < kw; w++) {
          for (int i = 0; i < cin; i++) {
            for (int o = 0; o < cout; o++) {
              oihw[((o * cin + i) * kh + h) * kw + w] = hwio[((h * kw + w) * cin + i) * cout + o];
            }
          }
        }
      }
      String w = out + "/kernel";
      graph.initializer(w, oihw, cout, cin, kh, kw);
      List<String> inputs = new ArrayList<>(List.of(in.get(0), w));
      if (c.path("use_bias").asBoolean(true)) {
        Weight bias = weight(l, "bias");
        graph.initializer(out + "/bias", bias.data(), cout);
        inputs.add(out + "/bias");
      }
      String padding = c.path("padding").asText("valid");
      long[] pads;
      if (padding.equals("same")) {
        // TensorFlow 'same' at stride 1: total (k-1)·d, the odd pixel at the end (bottom/right).
        int th = (kh - 1) * dh;
        int tw = (kw - 1) * dw;
        pads = new long[] {th / 2, tw / 2, th - th / 2, tw - tw / 2};
      } else if (padding.equals("valid")) {
        pads = new long[] {0, 0, 0, 0};
        if (kh != 1 || kw != 1) {
          throw fail(l, "expected 'same' padding for kernels larger than 1×1 (keeps the size)");
        }
      } else {
        throw fail(l, "expected padding 'same' or 'valid', found " + padding);
      }
      String activation = c.path("activation").asText("linear");
      String convOut = activation.equals("linear") ? out : out + "/conv";
      graph.node(
          "Conv",
          inputs,
          List.of(convOut),
          OnnxGraph.ints("kernel_shape", kh, kw),
          OnnxGraph.ints("pads", pads),
          OnnxGraph.ints("dilations", dh, dw),
          OnnxGraph.ints("strides", 1, 1),
          OnnxGraph.attr("group", (long) groups));
      if (!activation.equals("linear")) {
        activation(l, activation, convOut, out);
      }
      return new Info(cout, x.factor());
    }

    private void activation(Layer l, String name, String in, String out) {
      String op =
          switch (name.toLowerCase(Locale.ROOT)) {
            case "linear" -> "Identity";
            case "relu" -> "Relu";
            case "sigmoid" -> "Sigmoid";
            case "tanh" -> "Tanh";
            default ->
                throw fail(
                    l, "expected activation linear, relu, sigmoid or tanh, found '" + name + "'");
          };
      graph.node(op, List.of(in), List.of(out));
    }

    private void sameShapes(Layer l, List<String> in) {
      Info first = infos.get(in.get(0));
      for (String i : in) {
        if (!infos.get(i).equals(first)) {
          throw fail(l, "expected inputs of one shape, found " + first + " and " + infos.get(i));
        }
      }
    }

    private Weight weight(Layer l, String kind) {
      Weight w = source.weights().get(l.name() + "/" + kind);
      if (w == null) {
        // Some converters prefix weight names with the model's name.
        String suffix = "/" + l.name() + "/" + kind;
        w =
            source.weights().values().stream()
                .filter(x -> x.name().endsWith(suffix))
                .findFirst()
                .orElseThrow(() -> fail(l, "expected a weight " + l.name() + "/" + kind));
      }
      return w;
    }

    private void scalar(String name, float v) {
      graph.initializer(name, new float[] {v});
    }

    private static boolean channelsLast(JsonNode c) {
      return c.path("data_format").asText("channels_last").equals("channels_last");
    }

    private static String value(TensorRef r) {
      return r.layer() + "#" + r.node() + (r.tensor() == 0 ? "" : ":" + r.tensor());
    }

    private ModelLoadException fail(Layer l, String what) {
      return new ModelLoadException(
          source.origin() + ": layer " + l.name() + " (" + l.className() + "): " + what);
    }
  }
}
