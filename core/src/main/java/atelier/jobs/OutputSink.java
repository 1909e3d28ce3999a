package atelier.jobs;

import java.nio.file.Path;

/**
 * Where a job's finished files go; the caller decides their names. {@link JobRunner} hands each
 * image over as soon as it is made (before the next one starts), so a cancelled or failed job keeps
 * every image it finished.
 *
 * <p>Called on the job's working thread. Implementations must never let a reader see half a file.
 */
public interface OutputSink {
  /**
   * Stores one finished image.
   *
   * @return where it is now
   */
  Path image(OutputImage image);

  /**
   * Stores a side file the job names ({@code selection-42.json}, its contact sheet); the folder
   * sinks never replace an existing file but take the next free {@code NAME-2.EXT}.
   *
   * @return where it is now
   */
  Path file(String name, byte[] bytes);

  /** The folder for jobs that name and write their own files (recipe runs, sweeps). */
  Path folder();

  /**
   * Numbered images in a folder, as A1111 names them ({@code 00001-SEED.png}, the next free number,
   * never overwriting a file), side files and recipe outputs in the same folder; names are claimed
   * through {@link atelier.OutputTarget}.
   *
   * @throws atelier.BadRequestException when {@code dir}, or a folder above it, is a file
   */
  static OutputSink folder(Path dir) {
    return new FolderSink(atelier.OutputTarget.folder(dir));
  }

  /**
   * Images through {@code target} (an exact file, or numbered names in a folder), side files in its
   * folder; a file target takes one image.
   */
  static OutputSink of(atelier.OutputTarget target) {
    return new FolderSink(target);
  }

  /**
   * One image to exactly {@code file} (replacing it), side files beside it; a second image is an
   * error.
   */
  static OutputSink file(Path file) {
    return new FolderSink(atelier.OutputTarget.file(file, true));
  }
}
