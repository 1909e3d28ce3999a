package atelier.model;

import atelier.AtelierHome;
import atelier.BadRequestException;
import atelier.ModelLoadException;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models Atelier knows how to fetch: the built-in data file {@code atelier/model/catalog.json}
 * plus, when present, {@code catalog.json} in the data folder, whose entries are added to (or
 * replace, by id) the built-in ones. The schema is documented in docs/models.md. Immutable and
 * thread-safe.
 */
public final class ModelCatalog {
  /** The classpath resource of the built-in catalog. */
  public static final String RESOURCE = "/atelier/model/catalog.json";

  /** The schema version this code reads. */
  public static final int SCHEMA = 1;

  static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).build();

  private final Map<String, CatalogEntry> entries;
  private final String defaultId;

  private ModelCatalog(Map<String, CatalogEntry> entries, String defaultId) {
    this.entries = entries;
    this.defaultId = defaultId;
  }

  /** The catalog shipped with Atelier. */
  public static ModelCatalog builtin() {
    try (InputStream in = ModelCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new ModelLoadException("catalog: the resource " + RESOURCE + " is missing");
      }
      return parse(in, "built-in catalog");
    } catch (IOException e) {
      throw new ModelLoadException("catalog: reading " + RESOURCE + " failed: " + e, e);
    }
  }

  /** The built-in catalog with the data folder's {@code catalog.json} laid over it. */
  public static ModelCatalog load(AtelierHome home) {
    ModelCatalog catalog = builtin();
    Path user = home.root().resolve("catalog.json");
    if (Files.isRegularFile(user)) {
      try (InputStream in = Files.newInputStream(user)) {
        catalog = catalog.overlay(parse(in, user.toString()));
      } catch (IOException e) {
        throw new ModelLoadException("catalog " + user + ": reading failed: " + e.getMessage(), e);
      }
    }
    return catalog;
  }

  /**
   * Reads a catalog document.
   *
   * @param origin names the document in error messages
   * @throws ModelLoadException naming the origin, the place in the document and the problem
   */
  public static ModelCatalog parse(InputStream in, String origin) {
    Document doc;
    try {
      doc = JSON.readValue(in, Document.class);
    } catch (JsonMappingException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String why = root == e ? e.getOriginalMessage() : root.getMessage();
      throw new ModelLoadException(
          "catalog " + origin + ": " + why + " (at " + e.getPathReference() + ")", e);
    } catch (IOException e) {
      throw new ModelLoadException("catalog " + origin + ": not valid JSON: " + e.getMessage(), e);
    }
    if (doc.schema() != SCHEMA) {
      throw new ModelLoadException(
          "catalog " + origin + ": schema expected " + SCHEMA + ", found " + doc.schema());
    }
    Map<String, CatalogEntry> map = new LinkedHashMap<>();
    for (CatalogEntry e : doc.models() == null ? List.<CatalogEntry>of() : doc.models()) {
      if (map.put(e.id(), e) != null) {
        throw new ModelLoadException("catalog " + origin + ": model id " + e.id() + " twice");
      }
    }
    if (doc.defaultModel() != null && !map.containsKey(doc.defaultModel())) {
      throw new ModelLoadException(
          "catalog "
              + origin
              + ": default expected one of the catalog's ids "
              + map.keySet()
              + ", found '"
              + doc.defaultModel()
              + "'");
    }
    return new ModelCatalog(map, doc.defaultModel());
  }

  /** This catalog with {@code over}'s entries added or replacing, and its default if it has one. */
  public ModelCatalog overlay(ModelCatalog over) {
    Map<String, CatalogEntry> map = new LinkedHashMap<>(entries);
    map.putAll(over.entries);
    return new ModelCatalog(map, over.defaultId != null ? over.defaultId : defaultId);
  }

  /** Every entry, built-in ones first. */
  public List<CatalogEntry> entries() {
    return List.copyOf(entries.values());
  }

  /** The entries of one kind. */
  public List<CatalogEntry> entries(ModelKind kind) {
    List<CatalogEntry> out = new ArrayList<>();
    for (CatalogEntry e : entries.values()) {
      if (e.kind() == kind) {
        out.add(e);
      }
    }
    return out;
  }

  public Optional<CatalogEntry> find(String id) {
    return Optional.ofNullable(id == null ? null : entries.get(id));
  }

  /**
   * The entry with this id.
   *
   * @throws BadRequestException listing the known ids when there is none
   */
  public CatalogEntry require(String id) {
    CatalogEntry e = id == null ? null : entries.get(id);
    if (e == null) {
      throw new BadRequestException(
          "model: expected a catalog id ("
              + String.join(", ", entries.keySet())
              + "), found '"
              + id
              + "'");
    }
    return e;
  }

  /** The id of the model {@code generate} uses when none is configured. */
  public String defaultId() {
    if (defaultId == null) {
      throw new ModelLoadException("catalog: no default model is set");
    }
    return defaultId;
  }

  /** The JSON shape of a catalog file. */
  private record Document(
      int schema, @JsonProperty("default") String defaultModel, List<CatalogEntry> models) {}
}
