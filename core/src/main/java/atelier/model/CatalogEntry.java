package atelier.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A model Atelier knows how to fetch: where it lives, which files make it up, what it is and how to
 * use it. Immutable; read from the catalog data file (docs/models.md "Catalog schema").
 *
 * @param id short stable name used on the command line and as the store folder name
 * @param name display name
 * @param kind what the model is for
 * @param family for pipelines a {@link ModelFamily} id ({@code sd1}, {@code lcm}, ...); free text
 *     for other kinds
 * @param exporter which exporter made the files ({@link ExportVariant} ids for pipelines), or null
 * @param device the device the export is meant for: {@code cpu} (fp32) or {@code cuda} (fp16)
 * @param precision {@code fp32} or {@code fp16}
 * @param license licence name as the source states it
 * @param source the Hugging Face repository and pinned revision
 * @param recommended settings that suit the model, any of them null
 * @param files the files to fetch, in the folder layout the exporter wrote
 * @param verified true only when every size and hash was checked against a real download
 * @param notes where the facts came from and anything doubtful, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CatalogEntry(
    String id,
    String name,
    ModelKind kind,
    String family,
    String exporter,
    String device,
    String precision,
    String license,
    Source source,
    Recommended recommended,
    List<CatalogFile> files,
    Boolean verified,
    String notes) {

  /** Model ids: lower-case letters, digits, dot, dash, underscore; at most 64 characters. */
  public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  public CatalogEntry {
    checkId(id);
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("model " + id + ": name expected, found none");
    }
    if (kind == null) {
      throw new IllegalArgumentException("model " + id + ": kind expected, found none");
    }
    if (kind == ModelKind.PIPELINE) {
      ModelFamily.lookup(family);
    }
    Device.lookup(device);
    if (precision == null || !(precision.equals("fp32") || precision.equals("fp16"))) {
      throw new IllegalArgumentException(
          "model " + id + ": precision expected fp32 or fp16, found '" + precision + "'");
    }
    if (source == null) {
      throw new IllegalArgumentException("model " + id + ": source expected, found none");
    }
    if (verified == null) {
      throw new IllegalArgumentException(
          "model "
              + id
              + ": verified expected true or false (say whether the sizes and hashes"
              + " were checked against a real download), found none");
    }
    if (files == null || files.isEmpty()) {
      throw new IllegalArgumentException("model " + id + ": files expected, found none");
    }
    Set<String> seen = new HashSet<>();
    for (CatalogFile f : files) {
      if (!seen.add(f.path())) {
        throw new IllegalArgumentException("model " + id + ": file " + f.path() + " listed twice");
      }
    }
    if (kind == ModelKind.PIPELINE
        && files.stream().anyMatch(f -> f.path().endsWith(".safetensors"))) {
      if (files.size() != 1) {
        throw new IllegalArgumentException(
            "model "
                + id
                + ": a checkpoint entry (converted on pull) expected exactly one .safetensors"
                + " file, found "
                + files.size()
                + " files");
      }
      if (!Set.of("sd1", "sd2", "sd2-v").contains(family)) {
        throw new IllegalArgumentException(
            "model "
                + id
                + ": a checkpoint entry (converted on pull) expected family sd1, sd2 or sd2-v,"
                + " found '"
                + family
                + "'");
      }
    }
    files = List.copyOf(files);
    recommended = recommended == null ? new Recommended(null, null, null, null, null) : recommended;
  }

  /**
   * Whether this entry is a single-file checkpoint that a pull downloads and converts to ONNX (a
   * pipeline whose one file is a {@code .safetensors}), rather than a model folder.
   */
  @JsonIgnore
  public boolean isCheckpoint() {
    return kind == ModelKind.PIPELINE && files.get(0).path().endsWith(".safetensors");
  }

  /** Throws unless {@code id} is a valid model id. */
  public static void checkId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "model id: expected lower-case letters, digits, '.', '-' or '_' (at most 64), found '"
              + id
              + "'");
    }
  }

  /** The sum of the file sizes (exact where known, else approximate). */
  @JsonIgnore
  public long totalSize() {
    return files.stream().mapToLong(CatalogFile::sizeForDisplay).sum();
  }

  /** Where a file is fetched from: its own URL, or the repository's resolve address. */
  public URI url(URI endpoint, CatalogFile file) {
    if (file.url() != null) {
      return URI.create(file.url());
    }
    String base = endpoint.toString().replaceAll("/+$", "");
    StringBuilder path = new StringBuilder();
    for (String segment : file.path().split("/")) {
      path.append('/').append(encode(segment));
    }
    return URI.create(base + "/" + source.repo() + "/resolve/" + encode(source.revision()) + path);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * A Hugging Face model repository at a pinned revision.
   *
   * @param repo {@code owner/name}
   * @param revision a full commit hash (preferred: the files cannot change under it) or a branch
   */
  public record Source(String repo, String revision) {
    private static final Pattern REPO =
        Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");

    public Source {
      if (repo == null || !REPO.matcher(repo).matches()) {
        throw new IllegalArgumentException(
            "source repo: expected owner/name, found '" + repo + "'");
      }
      if (revision == null || revision.isBlank()) {
        throw new IllegalArgumentException(
            "source revision: expected a commit hash or branch, found none");
      }
    }

    /** The repository's page on the given hub. */
    public String page(URI endpoint) {
      return endpoint.toString().replaceAll("/+$", "") + "/" + repo;
    }
  }

  /**
   * Generation settings that suit a pipeline; null members mean "the model's own default".
   *
   * @param scheduler scheduler name ({@code euler}, {@code lcm}, ...)
   * @param steps sampler steps
   * @param guidance guidance scale
   * @param width image width in pixels
   * @param height image height in pixels
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Recommended(
      String scheduler, Integer steps, Double guidance, Integer width, Integer height) {
    public Recommended {
      if (steps != null && steps < 1) {
        throw new IllegalArgumentException("recommended steps: expected >= 1, found " + steps);
      }
      if (guidance != null && guidance < 0) {
        throw new IllegalArgumentException(
            "recommended guidance: expected >= 0, found " + guidance);
      }
      for (Integer side : new Integer[] {width, height}) {
        if (side != null && (side < 8 || side % 8 != 0)) {
          throw new IllegalArgumentException(
              "recommended size: expected a multiple of 8, found " + side);
        }
      }
    }
  }
}
