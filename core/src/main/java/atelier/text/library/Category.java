package atelier.text.library;

import atelier.BadRequestException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A named list of library entries ({@code style}, {@code artist}, {@code lighting}, …), which a
 * template reaches as the wildcard {@code __name__}.
 *
 * @param name the category's name (lower case, letters, digits, hyphens)
 * @param description one line for people
 * @param entries the entries, names unique
 */
public record Category(String name, String description, List<LibraryEntry> entries) {
  public Category {
    if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
      throw new BadRequestException(
          "library category: name: expected lower-case letters, digits and hyphens, found '"
              + name
              + "'");
    }
    description = description == null ? "" : description.strip();
    entries = List.copyOf(entries);
    if (entries.isEmpty()) {
      throw new BadRequestException(
          "library category '" + name + "': expected at least one entry, found none");
    }
    Set<String> seen = new HashSet<>();
    for (LibraryEntry e : entries) {
      if (!seen.add(e.name())) {
        throw new BadRequestException(
            "library category '"
                + name
                + "': expected unique entry names, found '"
                + e.name()
                + "' twice");
      }
    }
  }

  /** The entry with a name (or, failing that, exactly this text, ignoring case). */
  public Optional<LibraryEntry> find(String nameOrText) {
    String n = nameOrText.strip();
    return entries.stream()
        .filter(e -> e.name().equalsIgnoreCase(n))
        .findFirst()
        .or(() -> entries.stream().filter(e -> e.text().equalsIgnoreCase(n)).findFirst());
  }

  /**
   * The entry with a name.
   *
   * @throws BadRequestException listing a few valid names
   */
  public LibraryEntry entry(String nameOrText) {
    return find(nameOrText)
        .orElseThrow(
            () ->
                new BadRequestException(
                    "library "
                        + name
                        + ": expected an entry name such as "
                        + String.join(
                            ", ", entries.stream().limit(8).map(LibraryEntry::name).toList())
                        + " (`atelier prompts list "
                        + name
                        + "` lists all "
                        + entries.size()
                        + "), found '"
                        + nameOrText
                        + "'"));
  }
}
