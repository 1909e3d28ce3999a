package atelier.model;

import atelier.ModelLoadException;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the store knows about one installed model, kept as {@code .atelier-manifest.json} in its
 * folder so {@code verify} works offline: where it came from, and each file's size and SHA-256.
 * Also the journal of a pull: it is rewritten after every file and marked complete at the end, so
 * an interrupted pull is never taken for an installed model. Immutable; never holds a token.
 *
 * @param id the model id (the folder name)
 * @param kind what the model is for
 * @param name display name
 * @param origin where the files came from
 * @param files one record per file, in catalog order
 * @param complete true once every file is present and checked
 * @param problem why the model cannot be used now (a failed verify, an unfinished pull), or null
 * @param updated when this manifest was written (ISO-8601 UTC)
 * @param atelierVersion the Atelier version that wrote it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelManifest(
    String id,
    ModelKind kind,
    String name,
    Origin origin,
    List<FileRecord> files,
    boolean complete,
    String problem,
    String updated,
    String atelierVersion) {

  /** The manifest's file name inside a model folder (hidden: not part of the model's hash). */
  public static final String FILE_NAME = ".atelier-manifest.json";

  static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  public ModelManifest {
    CatalogEntry.checkId(id);
    if (kind == null || origin == null) {
      throw new IllegalArgumentException("manifest " + id + ": kind and origin expected");
    }
    files = List.copyOf(files == null ? List.of() : files);
  }

  /** A manifest stamped now with this Atelier's version. */
  public static ModelManifest of(
      String id,
      ModelKind kind,
      String name,
      Origin origin,
      List<FileRecord> files,
      boolean complete,
      String problem) {
    return new ModelManifest(
        id,
        kind,
        name,
        origin,
        files,
        complete,
        problem,
        Instant.now().toString(),
        atelier.Version.NUMBER);
  }

  /** The folder or package an import copied, or null for a pulled model. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public String importedFrom() {
    return "import".equals(origin.type()) ? origin.importedFrom() : null;
  }

  /**
   * How to repair this model: pull it again, or, for an import (which {@code pull} cannot fetch),
   * import its source again.
   */
  public String repair() {
    if (origin.variant() != null) {
      Variant v = origin.variant();
      return "make it again: atelier models optimize "
          + v.source()
          + " --int8 --id "
          + id
          + " --replace";
    }
    String from = importedFrom();
    if (from == null) {
      return "repair with: atelier models pull " + id;
    }
    return "re-import from "
        + from
        + ": atelier models import "
        + from
        + " --id "
        + id
        + " --replace";
  }

  /** The records by path. */
  public Map<String, FileRecord> byPath() {
    Map<String, FileRecord> m = new LinkedHashMap<>();
    for (FileRecord f : files) {
      m.put(f.path(), f);
    }
    return m;
  }

  /** The total size of the files. */
  public long totalSize() {
    return files.stream().mapToLong(FileRecord::size).sum();
  }

  /** A copy with other files, completeness and problem, stamped now. */
  public ModelManifest with(List<FileRecord> files, boolean complete, String problem) {
    return new ModelManifest(
        id, kind, name, origin, files, complete, problem, Instant.now().toString(), atelierVersion);
  }

  /** Reads the manifest of a model folder. */
  public static ModelManifest read(Path folder) {
    Path file = folder.resolve(FILE_NAME);
    try {
      return JSON.readValue(file.toFile(), ModelManifest.class);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(
          "model " + folder + ": the store manifest " + file + " is unreadable: " + e.getMessage(),
          e);
    }
  }

  /** Writes the manifest into its folder atomically (a reader sees the old or the new one). */
  public void write(Path folder) {
    try {
      atelier.AtomicFiles.write(folder.resolve(FILE_NAME), JSON.writeValueAsBytes(this));
    } catch (IOException e) {
      throw new ModelLoadException(
          "model " + id + ": writing its store manifest in " + folder + " failed: " + e, e);
    }
  }

  /**
   * Where a model's files came from.
   *
   * @param type {@code huggingface} (pulled from a hub) or {@code import} (copied from a folder)
   * @param repo the hub repository, or null
   * @param revision the catalog's revision, or null
   * @param commit the commit the hub resolved it to, or null
   * @param endpoint the hub's address, or null
   * @param importedFrom the folder an import copied, or null
   * @param conversion what a converted checkpoint was, or null
   * @param variant what installed model this one was derived from ({@code models optimize}), or
   *     null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Origin(
      String type,
      String repo,
      String revision,
      String commit,
      String endpoint,
      String importedFrom,
      Conversion conversion,
      Variant variant) {
    public static Origin hub(CatalogEntry e, String commit, String endpoint) {
      return new Origin(
          "huggingface",
          e.source().repo(),
          e.source().revision(),
          commit,
          endpoint,
          null,
          null,
          null);
    }

    public static Origin imported(Path from) {
      return new Origin(
          "import", null, null, null, null, from.toAbsolutePath().toString(), null, null);
    }

    /** This origin with the record of a checkpoint conversion (a catalog checkpoint pulled). */
    public Origin withConversion(Conversion c) {
      return new Origin(type, repo, revision, commit, endpoint, importedFrom, c, variant);
    }

    /** A folder converted from a checkpoint file (re-imported from that file). */
    public static Origin converted(Path from, Conversion conversion) {
      return new Origin(
          "import", null, null, null, null, from.toAbsolutePath().toString(), conversion, null);
    }

    /** A variant written by {@code models optimize} from another installed model. */
    public static Origin variant(Variant variant) {
      return new Origin("variant", null, null, null, null, null, null, variant);
    }
  }

  /**
   * How a variant was derived from another installed model ({@code atelier models optimize}).
   *
   * @param source the installed model it was made from
   * @param method what was done, e.g. {@code int8-dynamic-matmul}
   * @param created when (ISO-8601 UTC)
   * @param stages the stages rewritten, e.g. {@code [unet]}
   * @param quantized the nodes quantised
   * @param otherFiles how the other files were placed: {@code hard-linked} or {@code copied}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Variant(
      String source,
      String method,
      String created,
      List<String> stages,
      int quantized,
      String otherFiles) {}

  /**
   * How a single-file checkpoint was converted into this folder.
   *
   * @param file the checkpoint's file name
   * @param sha256 its SHA-256
   * @param family the family it was converted as (sd1, sd2, sd2-v)
   * @param familySource how the family was told: keys, --family, a .yaml beside it, metadata
   * @param template the architecture template used
   * @param keysUsed checkpoint keys converted
   * @param keysIgnored keys left out by rule (EMA weights, the noise schedule, …)
   * @param keysUnused other keys no stage uses, by name
   * @param vae the external VAE file whose weights replaced the checkpoint's, or null
   * @param vaeSha256 its SHA-256, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Conversion(
      String file,
      String sha256,
      String family,
      String familySource,
      String template,
      int keysUsed,
      int keysIgnored,
      List<String> keysUnused,
      String vae,
      String vaeSha256) {}

  /**
   * One file of an installed model.
   *
   * @param path relative path with forward slashes
   * @param size size in bytes
   * @param sha256 hex SHA-256 of the contents
   * @param check what the contents were checked against when they arrived: {@code catalog}, {@code
   *     server}, {@code git-sha1}, {@code size} or {@code import}
   * @param mtime the file's modification time (ms) when it was last hashed, or null when it must be
   *     hashed again before it is trusted
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FileRecord(String path, long size, String sha256, String check, Long mtime) {
    public FileRecord {
      CatalogFile.checkPath(path);
      if (sha256 == null || !CatalogFile.SHA256.matcher(sha256).matches()) {
        throw new IllegalArgumentException(
            "file " + path + ": sha256 expected 64 hex digits, found " + sha256);
      }
    }

    /** A copy that must be hashed again before it is trusted. */
    public FileRecord untrusted() {
      return new FileRecord(path, size, sha256, check, null);
    }
  }
}
