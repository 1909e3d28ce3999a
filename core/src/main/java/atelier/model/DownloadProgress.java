package atelier.model;

import java.time.Duration;

/**
 * A snapshot of a pull or verify, sent to a {@link DownloadListener}. Sizes are in bytes; a total
 * of -1 means not known yet.
 *
 * @param phase what is happening now
 * @param model the model id
 * @param file the file being worked on (relative path), or null between files
 * @param fileIndex 0-based index of that file
 * @param files number of files
 * @param fileBytes bytes of this file done (present on disk or hashed)
 * @param fileTotal size of this file, or -1
 * @param bytes bytes of the whole model done
 * @param total size of the whole model (exact or estimated), or -1
 * @param rate network bytes per second since the pull started (0 while checking)
 * @param eta estimated time left, or null when there is no rate yet
 */
public record DownloadProgress(
    Phase phase,
    String model,
    String file,
    int fileIndex,
    int files,
    long fileBytes,
    long fileTotal,
    long bytes,
    long total,
    double rate,
    Duration eta) {

  /** What a pull or verify is doing. */
  public enum Phase {
    /** Another process or thread holds the model's lock; waiting for it. */
    WAITING,
    /** Hashing a file already on disk. */
    CHECKING,
    /** Receiving a file. */
    DOWNLOADING,
    /** Converting a checkpoint: writing the ONNX model's weights ({@code file} names the file). */
    CONVERTING,
    /** One file is complete and checked. */
    FILE_DONE,
    /** Everything is complete. */
    DONE
  }

  public DownloadProgress {
    if (phase == null || model == null) {
      throw new IllegalArgumentException("phase and model expected, found " + phase + ", " + model);
    }
    if (files < 0 || fileIndex < 0 || (files > 0 && fileIndex > files)) {
      throw new IllegalArgumentException(
          "fileIndex/files: expected 0 <= index <= files, found " + fileIndex + "/" + files);
    }
  }
}
