package atelier.server;

import atelier.AtelierHome;
import atelier.BadRequestException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the job queue a {@code --db} value names. Stateless. */
public final class JobQueues {
  /** The database file in the data folder when no {@code --db} is given. */
  public static final String DEFAULT_FILE = "atelier.db";

  private JobQueues() {}

  /**
   * Opens (creating and migrating as needed) the queue at {@code db}: {@code jdbc:sqlite:FILE},
   * {@code postgresql://[user[:password]@]host[:port]/database[?…]} (also {@code postgres://}) or
   * {@code jdbc:postgresql://…}; null or blank means the SQLite file {@value #DEFAULT_FILE} in
   * {@code home}'s data folder.
   *
   * @throws BadRequestException when {@code db} is none of these
   * @throws JobQueueException when the database cannot be reached or migrated
   */
  public static JobQueue open(String db, AtelierHome home) {
    if (db == null || db.isBlank()) {
      return sqlite(home.root().resolve(DEFAULT_FILE));
    }
    if (db.startsWith("jdbc:sqlite:")) {
      String file = db.substring("jdbc:sqlite:".length());
      int query = file.indexOf('?');
      if (query >= 0 || file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
        throw new BadRequestException(
            "--db: expected jdbc:sqlite:FILE with a plain file path (the queue must outlive the"
                + " process), found "
                + db);
      }
      return sqlite(Path.of(file));
    }
    if (db.startsWith("jdbc:postgresql:")) {
      return new PostgresJobQueue(db, null, null, "postgresql " + redact(db));
    }
    if (db.startsWith("postgresql://") || db.startsWith("postgres://")) {
      return postgres(db);
    }
    throw new BadRequestException(
        "--db: expected jdbc:sqlite:FILE, postgresql://HOST/DATABASE or jdbc:postgresql://…, found "
            + redact(db));
  }

  private static JobQueue sqlite(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new BadRequestException(
          "--db: expected a folder that can hold the database file, found " + dir + " (" + e + ")");
    }
    return new SqliteJobQueue(file);
  }

  private static JobQueue postgres(String db) {
    URI uri;
    try {
      uri = new URI(db);
    } catch (URISyntaxException e) {
      throw new BadRequestException(
          "--db: expected postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE, found "
              + redact(db)
              + " ("
              + e.getReason()
              + ")");
    }
    String path = uri.getRawPath();
    if (uri.getHost() == null || path == null || path.length() < 2) {
      throw new BadRequestException(
          "--db: expected postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE, found "
              + redact(db));
    }
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
      password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
    }
    String jdbc =
        "jdbc:postgresql://"
            + uri.getHost()
            + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
            + path
            + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
    return new PostgresJobQueue(jdbc, user, password, "postgresql " + redact(db));
  }

  /** {@code db} without a password, for messages and logs. */
  static String redact(String db) {
    return db.replaceAll("://([^:/@]*):[^@/]*@", "://$1:***@")
        .replaceAll("(?i)([?&]password=)[^&]*", "$1***");
  }
}
