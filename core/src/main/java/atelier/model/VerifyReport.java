package atelier.model;

import java.util.List;

/**
 * The result of checking an installed model's files against its manifest, byte for byte.
 *
 * @param id the model id
 * @param files one check per manifest file
 */
public record VerifyReport(String id, List<FileCheck> files) {
  public VerifyReport {
    files = List.copyOf(files);
  }

  /** True when every file is present with its recorded size and SHA-256. */
  public boolean ok() {
    return files.stream().allMatch(f -> f.status() == Status.OK);
  }

  /** The files that failed. */
  public List<FileCheck> failures() {
    return files.stream().filter(f -> f.status() != Status.OK).toList();
  }

  /** How one file compared with its record. */
  public enum Status {
    OK,
    MISSING,
    SIZE,
    HASH
  }

  /**
   * One file's check.
   *
   * @param path relative path
   * @param status the outcome
   * @param expectedSize recorded size
   * @param actualSize size on disk, or -1 when missing
   * @param expectedSha256 recorded SHA-256
   * @param actualSha256 SHA-256 on disk, or null when not computed (missing or wrong size)
   */
  public record FileCheck(
      String path,
      Status status,
      long expectedSize,
      long actualSize,
      String expectedSha256,
      String actualSha256) {

    /** A one-line description for people. */
    public String describe() {
      return switch (status) {
        case OK -> path + ": ok";
        case MISSING -> path + ": missing";
        case SIZE -> path + ": expected " + expectedSize + " bytes, found " + actualSize;
        case HASH -> path + ": expected SHA-256 " + expectedSha256 + ", found " + actualSha256;
      };
    }
  }
}
