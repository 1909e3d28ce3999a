package atelier.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests, started once per JVM from Debian's binaries ({@code
 * /usr/lib/postgresql/N/bin}) in a temporary folder on a free port, and stopped at exit. PostgreSQL
 * refuses to run as root, so as root it runs as the {@code postgres} user. Tests that need it skip,
 * with the reason, only when no PostgreSQL binaries are installed.
 */
final class PostgresCluster {
  private static PostgresCluster instance;

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgres;
  private int databases;

  private PostgresCluster(Path bin, boolean fsync) throws IOException, InterruptedException {
    this.bin = bin;
    this.asPostgres = "root".equals(System.getProperty("user.name"));
    this.dir = Files.createTempDirectory("atelier-pg-");
    this.port = freePort();
    if (asPostgres) {
      run(List.of("chown", "postgres:postgres", dir.toString()), false);
    }
    Path data = dir.resolve("data");
    run(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            "atelier",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync"),
        asPostgres);
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            dir.resolve("log").toString(),
            "-w",
            "-o",
            "-p "
                + port
                + " -k "
                + dir
                + " -c listen_addresses=127.0.0.1 -c fsync="
                + (fsync ? "on" : "off"),
            "start"),
        asPostgres);
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
  }

  /** The cluster, started on first use; skips the calling test when PostgreSQL is not installed. */
  static synchronized PostgresCluster get() throws IOException, InterruptedException {
    if (instance == null) {
      Path bin = findBin();
      if (bin == null && "true".equals(System.getenv("CI"))) {
        // .ci/run installs PostgreSQL: in CI a missing server is a broken set-up, not a skip.
        throw new IllegalStateException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb) but CI=true;"
                + " .ci/run should have installed Debian's postgresql package");
      }
      assumeTrue(
          bin != null,
          "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); install Debian's"
              + " postgresql package to run the PostgreSQL queue tests");
      instance = new PostgresCluster(bin, false);
    }
    return instance;
  }

  /**
   * A separate cluster that syncs to disk as a production one does, for measurements; null when
   * PostgreSQL is not installed.
   */
  static PostgresCluster startDurable() throws IOException, InterruptedException {
    Path bin = findBin();
    return bin == null ? null : new PostgresCluster(bin, true);
  }

  /** Whether PostgreSQL server binaries exist on this machine. */
  static boolean installed() {
    return findBin() != null;
  }

  /** Creates an empty database and returns its {@code postgresql://} URL. */
  synchronized String newDatabase() throws SQLException {
    String name = "t" + ProcessHandle.current().pid() + "_" + (++databases);
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "atelier", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return "postgresql://atelier@127.0.0.1:" + port + "/" + name;
  }

  private void stop() {
    try {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-m",
              "immediate",
              "stop"),
          asPostgres);
    } catch (IOException | InterruptedException e) {
      // At exit there is no one left to tell; the folder is removed below regardless.
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: the folder is under the system temporary folder.
    }
  }

  private static Path findBin() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(b -> b.getParent().getFileName().toString()))
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static void run(List<String> command, boolean asPostgres)
      throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", full) + " failed:\n" + output);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
