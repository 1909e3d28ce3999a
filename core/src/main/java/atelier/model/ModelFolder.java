package atelier.model;

import atelier.ModelLoadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Stable Diffusion model folder on disk (FORMATS.md "Folder layouts"), checked for the files
 * every exporter writes. Reads only small JSON files; graphs are opened by the pipeline stages.
 *
 * @param root the folder
 * @param modelIndex {@code model_index.json}, or a missing node when the export has none
 * @param schedulerConfig {@code scheduler/scheduler_config.json}
 * @param unetConfig {@code unet/config.json} (Optimum exports), or a missing node
 * @param vaeConfig {@code vae_decoder/config.json} (Optimum exports), or a missing node
 */
public record ModelFolder(
    Path root,
    JsonNode modelIndex,
    JsonNode schedulerConfig,
    JsonNode unetConfig,
    JsonNode vaeConfig) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Stage folders that every text-to-image export has. */
  public static final List<String> REQUIRED_GRAPHS = List.of("text_encoder", "unet", "vae_decoder");

  /**
   * Opens and checks a model folder.
   *
   * @throws ModelLoadException naming the folder and every missing file
   */
  public static ModelFolder open(Path root) {
    if (!Files.isDirectory(root)) {
      throw new ModelLoadException(
          "model "
              + root
              + ": expected a folder with model_index.json, text_encoder/, unet/, vae_decoder/,"
              + " found "
              + (Files.exists(root) ? "a file" : "nothing"));
    }
    List<String> missing = new ArrayList<>();
    for (String stage : REQUIRED_GRAPHS) {
      if (!Files.isRegularFile(root.resolve(stage).resolve("model.onnx"))) {
        missing.add(stage + "/model.onnx");
      }
    }
    for (String f : List.of("tokenizer/vocab.json", "tokenizer/merges.txt")) {
      if (!Files.isRegularFile(root.resolve(f))) {
        missing.add(f);
      }
    }
    if (!Files.isRegularFile(root.resolve("scheduler/scheduler_config.json"))) {
      missing.add("scheduler/scheduler_config.json");
    }
    if (!missing.isEmpty()) {
      throw new ModelLoadException(
          "model "
              + root
              + ": missing "
              + String.join(", ", missing)
              + " (expected a Stable Diffusion ONNX export: see docs/formats.md)");
    }
    return new ModelFolder(
        root,
        json(root.resolve("model_index.json"), false),
        json(root.resolve("scheduler/scheduler_config.json"), true),
        json(root.resolve("unet/config.json"), false),
        json(root.resolve("vae_decoder/config.json"), false));
  }

  private static JsonNode json(Path file, boolean required) {
    if (!Files.isRegularFile(file)) {
      if (required) {
        throw new ModelLoadException("model: expected " + file + ", found nothing");
      }
      return MissingNode.getInstance();
    }
    try {
      JsonNode n = JSON.readTree(file.toFile());
      if (n == null || !n.isObject()) {
        throw new ModelLoadException("model: expected a JSON object in " + file + ", found " + n);
      }
      return n;
    } catch (IOException e) {
      throw new ModelLoadException("model: " + file + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** The model's name: the folder name. */
  public String id() {
    Path name = root.toAbsolutePath().normalize().getFileName();
    return name == null ? root.toString() : name.toString();
  }

  /** A stage's graph, e.g. {@code unet/model.onnx}. */
  public Path graph(String stage) {
    return root.resolve(stage).resolve("model.onnx");
  }

  /** True when the export has a stage folder with a graph (e.g. {@code vae_encoder}). */
  public boolean hasGraph(String stage) {
    return Files.isRegularFile(graph(stage));
  }

  public Path tokenizerDir() {
    return root.resolve("tokenizer");
  }

  /** True when the folder has the second text encoder of SDXL. */
  public boolean isSdxl() {
    return Files.isDirectory(root.resolve("text_encoder_2"));
  }

  /** The scheduler class the export names, e.g. {@code PNDMScheduler}. */
  public String schedulerClass() {
    return schedulerConfig.path("_class_name").asText("");
  }

  /** A text field of the scheduler config, if present and not null. */
  public Optional<String> schedulerText(String key) {
    JsonNode n = schedulerConfig.get(key);
    return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
  }

  /** {@code unet/config.json} sample_size (latent side), if the export has one. */
  public Optional<Integer> unetSampleSize() {
    JsonNode n = unetConfig.get("sample_size");
    return n != null && n.canConvertToInt() ? Optional.of(n.asInt()) : Optional.empty();
  }

  /**
   * How many times the UNet halves the latents: one less than the length of {@code
   * unet/config.json} block_out_channels (each down block but the last ends with a stride-2
   * convolution), if the export has a config.
   */
  public Optional<Integer> unetDownsamplings() {
    JsonNode n = unetConfig.get("block_out_channels");
    return n != null && n.isArray() && n.size() >= 1 ? Optional.of(n.size() - 1) : Optional.empty();
  }

  /** {@code vae_decoder/config.json} scaling_factor, if the export has one. */
  public Optional<Double> vaeScalingFactor() {
    JsonNode n = vaeConfig.get("scaling_factor");
    return n != null && n.isNumber() ? Optional.of(n.asDouble()) : Optional.empty();
  }
}
