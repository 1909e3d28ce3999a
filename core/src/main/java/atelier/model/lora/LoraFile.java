package atelier.model.lora;

import atelier.BadRequestException;
import atelier.model.SafeTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A kohya/A1111 LoRA file (safetensors): per module a {@code lora_down} and {@code lora_up} weight
 * and an optional {@code alpha}. LyCORIS formats (LoHa, LoKr, LoCon with a mid weight, full diffs,
 * DoRA) and diffusers/PEFT files are refused by name, since their maths differ.
 *
 * <p>The header is read at open; the weights are read when a module is patched. Not thread-safe
 * (one file channel); close it when done.
 */
public final class LoraFile implements AutoCloseable {
  /**
   * One trained module: its kohya name (prefix normalised: {@code lora_te1_} → {@code lora_te_}).
   */
  public record Module(String name, String down, String up, String alpha) {}

  private static final Map<String, String> FOREIGN =
      Map.of(
          ".hada_w1_a", "LyCORIS LoHa",
          ".lokr_w1", "LyCORIS LoKr",
          ".lokr_w1_a", "LyCORIS LoKr",
          ".lora_mid.weight", "LyCORIS LoCon with a CP-decomposed mid weight",
          ".diff", "LyCORIS full (diff)",
          ".dora_scale", "DoRA",
          ".oft_blocks", "OFT",
          ".lora_A.weight", "diffusers/PEFT");

  private final Path file;
  private final SafeTensors tensors;
  private final Map<String, Module> modules;
  private final List<String> unknownKeys;

  private LoraFile(
      Path file, SafeTensors tensors, Map<String, Module> modules, List<String> unknownKeys) {
    this.file = file;
    this.tensors = tensors;
    this.modules = modules;
    this.unknownKeys = unknownKeys;
  }

  /**
   * Opens and checks a LoRA file.
   *
   * @throws BadRequestException when it is not safetensors, is another adapter format, or has no
   *     LoRA module
   */
  public static LoraFile open(Path file) {
    SafeTensors st = SafeTensors.open(file);
    try {
      Map<String, String> downs = new LinkedHashMap<>();
      Map<String, String> ups = new LinkedHashMap<>();
      Map<String, String> alphas = new LinkedHashMap<>();
      List<String> unknown = new ArrayList<>();
      for (String key : st.tensors().keySet()) {
        for (Map.Entry<String, String> f : FOREIGN.entrySet()) {
          if (key.endsWith(f.getKey())) {
            throw new BadRequestException(
                "lora "
                    + file
                    + ": expected a kohya/A1111 LoRA (lora_down/lora_up weights), found a "
                    + f.getValue()
                    + " file (key "
                    + key
                    + "); only plain LoRA is supported");
          }
        }
        if (key.endsWith(".lora_down.weight")) {
          downs.put(normalise(strip(key, ".lora_down.weight")), key);
        } else if (key.endsWith(".lora_up.weight")) {
          ups.put(normalise(strip(key, ".lora_up.weight")), key);
        } else if (key.endsWith(".alpha")) {
          alphas.put(normalise(strip(key, ".alpha")), key);
        } else {
          unknown.add(key);
        }
      }
      Map<String, Module> modules = new LinkedHashMap<>();
      for (Map.Entry<String, String> d : downs.entrySet()) {
        String up = ups.get(d.getKey());
        if (up == null) {
          unknown.add(d.getValue());
          continue;
        }
        modules.put(d.getKey(), new Module(d.getKey(), d.getValue(), up, alphas.get(d.getKey())));
      }
      for (Map.Entry<String, String> u : ups.entrySet()) {
        if (!downs.containsKey(u.getKey())) {
          unknown.add(u.getValue());
        }
      }
      if (modules.isEmpty()) {
        throw new BadRequestException(
            "lora "
                + file
                + ": expected kohya LoRA keys (NAME.lora_down.weight and NAME.lora_up.weight),"
                + " found "
                + (st.tensors().isEmpty()
                    ? "no tensors"
                    : st.tensors().size()
                        + " others, e.g. "
                        + new TreeSet<>(st.tensors().keySet()).first()));
      }
      return new LoraFile(file, st, modules, List.copyOf(unknown));
    } catch (RuntimeException e) {
      st.close();
      throw e;
    }
  }

  private static String strip(String key, String suffix) {
    return key.substring(0, key.length() - suffix.length());
  }

  /** kohya writes {@code lora_te1_} for the (first) text encoder in some versions. */
  private static String normalise(String module) {
    return module.startsWith("lora_te1_") ? "lora_te_" + module.substring(9) : module;
  }

  public Path file() {
    return file;
  }

  /** The modules by normalised kohya name, in file order. */
  public Map<String, Module> modules() {
    return modules;
  }

  /** Keys that are not part of a complete LoRA module. */
  public List<String> unknownKeys() {
    return unknownKeys;
  }

  /** The tensor's shape. */
  public long[] shape(String key) {
    return tensors.info(key).shape();
  }

  /** The tensor's values as float32. */
  public float[] read(String key) {
    return tensors.readFloats(key);
  }

  /** The module's alpha, or its rank when the file has none (kohya's default). */
  public double alpha(Module m) {
    if (m.alpha() == null) {
      return shape(m.down())[0];
    }
    float[] a = read(m.alpha());
    if (a.length != 1) {
      throw new BadRequestException(
          "lora " + file + ": " + m.alpha() + " expected one value, found " + a.length);
    }
    return a[0];
  }

  @Override
  public void close() {
    tensors.close();
  }
}
