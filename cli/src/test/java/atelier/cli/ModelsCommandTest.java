package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.FakeHub;
import atelier.testing.StoreFixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code models}, {@code config} and {@code generate} commands end to end against a loopback
 * hub ({@link FakeHub}) that serves the tiny model the way Hugging Face does; the data folder is a
 * temporary {@code --home} with its own catalog.json and config.json.
 */
class ModelsCommandTest {
  @TempDir Path tmp;
  private FakeHub hub;
  private Path home;

  /** One CLI run: exit code, standard output, standard error. */
  record Run(int rc, String out, String err) {}

  @BeforeEach
  void start() throws IOException {
    hub = new FakeHub().publish(StoreFixtures.REPO, StoreFixtures.REVISION, StoreFixtures.tinySd());
    home = Files.createDirectories(tmp.resolve("home"));
    Files.writeString(home.resolve("catalog.json"), catalog());
    Files.writeString(home.resolve("config.json"), "{\"endpoint\":\"" + hub.endpoint() + "\"}");
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private static String catalog() {
    StringBuilder files = new StringBuilder();
    for (String p : StoreFixtures.paths()) {
      files.append(files.length() == 0 ? "" : ",").append("{\"path\":\"").append(p).append("\"}");
    }
    return "{\"schema\":1,\"default\":\"tiny-sd\",\"models\":[{\"id\":\"tiny-sd\","
        + "\"name\":\"Tiny SD\",\"kind\":\"pipeline\",\"family\":\"sd1\",\"device\":\"cpu\","
        + "\"precision\":\"fp32\",\"license\":\"MIT\",\"source\":{\"repo\":\""
        + StoreFixtures.REPO
        + "\",\"revision\":\""
        + StoreFixtures.REVISION
        + "\"},"
        + "\"files\":["
        + files
        + "],\"verified\":false}]}";
  }

  private Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--home");
    all.add(home.toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc =
        Main.run(
            all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(rc, out.toString(), err.toString());
  }

  @Test
  void generateOnAFreshHomePullsTheDefaultModelWithYesThenGenerates() {
    Path png = tmp.resolve("out.png");
    Run r =
        run(
            "generate",
            "a cat",
            "--yes",
            "--steps",
            "1",
            "-W",
            "64",
            "-H",
            "64",
            "--seed",
            "1",
            "-o",
            png.toString());
    assertThat(r.rc()).as(r.err()).isZero();
    assertThat(r.err()).contains("atelier: pulling tiny-sd");
    assertThat(r.out()).contains("wrote " + png);
    assertThat(png).isRegularFile();
    assertThat(run("models", "list").out()).containsPattern("tiny-sd \\*\\s+pipeline.*ready");

    int requests = hub.seen().size();
    assertThat(
            run(
                    "generate",
                    "a cat",
                    "--steps",
                    "1",
                    "-W",
                    "64",
                    "-H",
                    "64",
                    "-o",
                    tmp.resolve("again.png").toString())
                .rc())
        .isZero();
    assertThat(hub.seen()).hasSize(requests);
  }

  @Test
  void withoutYesAndWithoutATerminalGenerateExplainsAndDownloadsNothing() {
    Run r = run("generate", "a cat", "-W", "64", "-H", "64");
    assertThat(r.rc()).isEqualTo(3);
    assertThat(r.err())
        .contains("model tiny-sd is not installed")
        .contains("atelier models pull tiny-sd")
        .contains("--yes");
    assertThat(hub.seen()).isEmpty();
  }

  @Test
  void pullVerifyCorruptRepairRemove() throws IOException {
    Run pull = run("models", "pull");
    assertThat(pull.rc()).as(pull.err()).isZero();
    assertThat(pull.out()).contains("pulled tiny-sd (" + StoreFixtures.paths().size() + " files");
    assertThat(pull.err()).contains("atelier: tiny-sd unet/model.onnx");
    assertThat(run("models", "verify", "tiny-sd").out()).contains("all 7 files verified");

    Path vocab = home.resolve("models/tiny-sd/tokenizer/vocab.json");
    Files.writeString(vocab, Files.readString(vocab).replace("\"a\"", "\"b\""));
    Run verify = run("models", "verify", "tiny-sd");
    assertThat(verify.rc()).isEqualTo(3);
    assertThat(verify.out())
        .contains("FAIL  tokenizer/vocab.json: expected SHA-256")
        .contains("repair with: atelier models pull tiny-sd");
    assertThat(run("models", "list").out()).containsPattern("tiny-sd.*damaged");
    Run refused = run("generate", "a cat", "-W", "64", "-H", "64");
    assertThat(refused.rc()).isEqualTo(3);
    assertThat(refused.err()).contains("cannot be used (verify failed: tokenizer/vocab.json");

    assertThat(run("models", "pull", "tiny-sd").rc()).isZero();
    assertThat(run("models", "verify", "tiny-sd", "--json").out()).contains("\"ok\":true");

    Run info = run("models", "info", "tiny-sd", "--json");
    assertThat(info.out())
        .contains("\"state\":\"ready\"")
        .contains("\"commit\":\"" + FakeHub.COMMIT + "\"");

    assertThat(run("models", "remove", "tiny-sd").out()).startsWith("removed tiny-sd (");
    assertThat(run("models", "list").out()).containsPattern("tiny-sd.*not installed");
    assertThat(run("models", "remove", "tiny-sd").rc()).isEqualTo(2);
  }

  @Test
  void importChecksTheFolderThenGenerateUsesItById() throws IOException {
    Path mine = StoreFixtures.copyTo(Files.createDirectories(tmp.resolve("Mine")));
    Run imported = run("models", "import", mine.toString());
    assertThat(imported.rc()).as(imported.err()).isZero();
    assertThat(imported.out()).startsWith("imported mine from " + mine);
    Run gen =
        run(
            "generate",
            "a cat",
            "--model",
            "mine",
            "--steps",
            "1",
            "-W",
            "64",
            "-H",
            "64",
            "-o",
            tmp.resolve("m.png").toString());
    assertThat(gen.rc()).as(gen.err()).isZero();
    assertThat(run("models", "import", mine.toString()).err()).contains("pass --replace");

    Path broken = StoreFixtures.copyTo(Files.createDirectories(tmp.resolve("broken")));
    Files.writeString(broken.resolve("unet/model.onnx"), "not a graph");
    Run bad = run("models", "import", broken.toString());
    assertThat(bad.rc()).isEqualTo(3);
    assertThat(bad.err()).contains("unet");
    assertThat(home.resolve("models/broken")).doesNotExist();
  }

  @Test
  void configSetsShowsAndValidatesDefaults() throws IOException {
    Path mine = StoreFixtures.copyTo(Files.createDirectories(tmp.resolve("mine")));
    assertThat(run("models", "import", mine.toString()).rc()).isZero();
    assertThat(run("config", "set", "model", "mine").out()).isEqualTo("model = mine\n");
    assertThat(run("config", "get", "model").out()).isEqualTo("mine\n");
    assertThat(run("config", "set", "device", "GPU").out()).isEqualTo("device = cuda\n");
    assertThat(run("config", "unset", "device").out()).isEqualTo("device unset (now cpu)\n");
    Run show = run("config", "--json");
    assertThat(show.out()).contains("\"home\":\"" + home + "\"").contains("\"model\":\"mine\"");
    Run badDevice = run("config", "set", "device", "tpu");
    assertThat(badDevice.rc()).isEqualTo(2);
    assertThat(badDevice.err()).contains("expected one of cpu, cuda, found 'tpu'");
    Run badModel = run("config", "set", "model", "nowhere");
    assertThat(badModel.rc()).isEqualTo(2);
    assertThat(badModel.err()).contains("expected a catalog id (").contains("found 'nowhere'");
    assertThat(run("config", "set", "colour", "red").err()).contains("expected one of model,");

    Run gen =
        run(
            "generate",
            "a cat",
            "--steps",
            "1",
            "-W",
            "64",
            "-H",
            "64",
            "-o",
            tmp.resolve("c.png").toString());
    assertThat(gen.rc()).as(gen.err()).isZero();
    assertThat(hub.seen()).isEmpty();
  }

  @Test
  void offlineGenerateNamesTheFilesTheirAddressesAndImport() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThat(run("config", "set", "endpoint", "http://127.0.0.1:" + port).rc()).isZero();
    Run r = run("generate", "a cat", "--yes", "--json");
    assertThat(r.rc()).isEqualTo(3);
    assertThat(r.out())
        .contains("\"kind\":\"model_load\"")
        .contains("model tiny-sd (Tiny SD) is not installed and 127.0.0.1 cannot be reached")
        .contains("http://127.0.0.1:" + port + "/" + StoreFixtures.REPO + "/resolve/")
        .contains("atelier models import DIR --id tiny-sd");
  }
}
