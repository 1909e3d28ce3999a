package atelier.cli;

import atelier.BadRequestException;
import atelier.OutputTarget;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where {@code generate} puts images: one exact file, or numbered files in a folder ({@link
 * OutputTarget} claims the names).
 */
record Output(OutputTarget target) {
  /** The default folder when neither {@code --out} nor the configured output names one. */
  static final Path DEFAULT_FOLDER = Path.of("outputs");

  /**
   * The folder images go to when no {@code --out} is given: the configured output folder, else
   * {@code ./outputs} in the current folder (as A1111 does; the data folder holds no images).
   */
  static Path defaultFolder(picocli.CommandLine.Model.CommandSpec spec) {
    String configured = Home.config(Home.of(spec)).output();
    return configured != null ? Path.of(configured) : DEFAULT_FOLDER;
  }

  static Output of(Path out, int batch, boolean overwrite) {
    if (out != null && out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      if (batch > 1) {
        throw new BadRequestException(
            "--out: a .png file takes one image, found --batch "
                + batch
                + "; give a folder instead");
      }
      return new Output(OutputTarget.file(out, overwrite));
    }
    if (overwrite) {
      throw new BadRequestException(
          "--overwrite: expected --out FILE.png with it, found a folder output (numbered files"
              + " never overwrite)");
    }
    return new Output(OutputTarget.folder(out != null ? out : DEFAULT_FOLDER));
  }

  /** The exact file, or null for a folder. */
  Path file() {
    return target.file();
  }

  /** The folder images go to. */
  Path dir() {
    return target.dir();
  }
}
