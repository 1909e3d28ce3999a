package atelier.model.lora;

import atelier.AtelierHome;
import atelier.BadRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The installed LoRAs: {@code loras/NAME.safetensors} in the data folder, found by name from {@code
 * --lora NAME} and {@code <lora:NAME:w>}. Thread-safe (the file system is the state).
 */
public final class LoraStore {
  private static final String EXT = ".safetensors";
  private final Path folder;

  public LoraStore(Path folder) {
    this.folder = folder;
  }

  /** The store in a data folder. */
  public static LoraStore of(AtelierHome home) {
    return new LoraStore(home.root().resolve("loras"));
  }

  public Path folder() {
    return folder;
  }

  /** Installed LoRA names, sorted. */
  public List<String> names() {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(folder)) {
      List<String> names = new ArrayList<>();
      s.map(p -> p.getFileName().toString())
          .filter(n -> n.toLowerCase(Locale.ROOT).endsWith(EXT) && !n.startsWith("."))
          .map(n -> n.substring(0, n.length() - EXT.length()))
          .sorted()
          .forEach(names::add);
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + folder, e);
    }
  }

  /**
   * The LoRA a request names: a file that exists, else an installed name.
   *
   * @throws BadRequestException naming what was looked for and what is installed
   */
  public LoraUse resolve(LoraRequest r) {
    Path file = Path.of(r.name());
    if (Files.isRegularFile(file)) {
      String n = file.getFileName().toString();
      String name = n.toLowerCase(Locale.ROOT).endsWith(EXT) ? n.substring(0, n.length() - 12) : n;
      return new LoraUse(name, file, r.weight());
    }
    if (!r.name().contains("/") && !r.name().contains("\\")) {
      Path installed = folder.resolve(r.name() + EXT);
      if (Files.isRegularFile(installed)) {
        return new LoraUse(r.name(), installed, r.weight());
      }
    }
    List<String> names = names();
    throw new BadRequestException(
        "lora "
            + r.name()
            + ": expected a .safetensors file or an installed LoRA (atelier models import FILE"
            + " --kind lora), found neither; installed: "
            + (names.isEmpty() ? "none" : String.join(", ", names)));
  }

  /**
   * Checks {@code file} as a LoRA and copies it in as {@code name} (the file's own name without
   * {@code .safetensors} when null).
   *
   * @return the installed file
   * @throws BadRequestException when it is not a LoRA, or the name is taken or not a plain name
   */
  public Path importFile(Path file, String name) {
    String n = file.getFileName().toString();
    String id =
        name != null
            ? name
            : n.toLowerCase(Locale.ROOT).endsWith(EXT) ? n.substring(0, n.length() - 12) : n;
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9._ -]{0,127}")) {
      throw new BadRequestException(
          "lora id: expected letters, digits, '.', '_', '-' or spaces (at most 128), found '"
              + id
              + "'");
    }
    LoraFile.open(file).close();
    Path target = folder.resolve(id + EXT);
    if (Files.exists(target)) {
      throw new BadRequestException(
          "lora " + id + ": expected a new name, found one installed at " + target);
    }
    try {
      Files.createDirectories(folder);
      Path part = Files.createTempFile(folder, "." + id, ".part");
      try {
        Files.copy(file, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(part);
      }
      return target;
    } catch (IOException e) {
      throw new BadRequestException(
          "lora " + id + ": cannot be copied to " + target + " (" + e.getMessage() + ")", e);
    }
  }
}
