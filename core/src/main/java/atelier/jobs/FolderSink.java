package atelier.jobs;

import atelier.BadRequestException;
import atelier.OutputTarget;
import java.nio.file.Path;

/**
 * The files sink over an {@link OutputTarget}: numbered names in a folder, or one exact file. Names
 * are claimed the way the CLI claims them (atomically, never overwriting another run's file), so
 * two runs writing into one folder never overwrite each other and nobody sees half an image.
 * Thread-safe.
 */
final class FolderSink implements OutputSink {
  private final OutputTarget target;
  private boolean fileUsed;

  FolderSink(OutputTarget target) {
    this.target = target;
  }

  @Override
  public synchronized Path image(OutputImage image) {
    byte[] png = image.png();
    if (target.file() != null) {
      if (fileUsed) {
        throw new BadRequestException(
            "--out: a .png file takes one image, found more; give a folder instead");
      }
      fileUsed = true;
      return target.write(image.seed() == null ? 0 : image.seed(), out -> out.write(png));
    }
    if (image.seed() == null) {
      String stem = image.name() == null ? "image" : image.name();
      return OutputTarget.writeUnique(target.dir().resolve(stem + ".png"), out -> out.write(png));
    }
    return target.write(image.seed(), out -> out.write(png));
  }

  /** Side files never replace an earlier run's: a taken name becomes {@code NAME-2.EXT}, …. */
  @Override
  public Path file(String name, byte[] bytes) {
    return OutputTarget.writeUnique(target.dir().resolve(name), out -> out.write(bytes));
  }

  @Override
  public Path folder() {
    return target.dir();
  }
}
