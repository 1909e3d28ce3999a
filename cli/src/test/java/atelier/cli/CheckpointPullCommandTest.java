package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.FakeHub;
import atelier.testing.TestPaths;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code atelier models pull} of a catalog entry that is a single-file checkpoint, served by a
 * loopback hub ({@link FakeHub}): downloaded, converted (its own "converting" lines), verified,
 * repaired by pulling again, and generating.
 */
class CheckpointPullCommandTest {
  private static final String REPO = "atelier-test/tiny-checkpoint";
  private static final String REVISION = "3333333333333333333333333333333333333333";

  @TempDir Path tmp;
  private FakeHub hub;
  private Path home;

  record Run(int rc, String out, String err) {}

  @BeforeEach
  void start() throws IOException {
    Path published = Files.createDirectories(tmp.resolve("published"));
    Files.copy(
        TestPaths.repoRoot().resolve("core/src/test/resources/checkpoints/tiny-sd1.safetensors"),
        published.resolve("tiny-sd1.safetensors"));
    hub = new FakeHub().publish(REPO, REVISION, published);
    home = Files.createDirectories(tmp.resolve("home"));
    Files.writeString(
        home.resolve("catalog.json"),
        "{\"schema\":1,\"models\":[{\"id\":\"tiny-ckpt\",\"name\":\"Tiny checkpoint\","
            + "\"kind\":\"pipeline\",\"family\":\"sd1\",\"device\":\"cpu\",\"precision\":\"fp32\","
            + "\"license\":\"MIT\",\"source\":{\"repo\":\""
            + REPO
            + "\",\"revision\":\""
            + REVISION
            + "\"},\"files\":[{\"path\":\"tiny-sd1.safetensors\"}],\"verified\":false}]}");
    Files.writeString(home.resolve("config.json"), "{\"endpoint\":\"" + hub.endpoint() + "\"}");
  }

  @AfterEach
  void stop() {
    hub.close();
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
  void aCheckpointEntryIsPulledConvertedRepairedAndGenerates() throws IOException {
    Run pull = run("models", "pull", "tiny-ckpt");
    assertThat(pull.rc()).as(pull.err()).isZero();
    assertThat(pull.err())
        .contains("atelier: tiny-ckpt tiny-sd1.safetensors")
        .contains("atelier: tiny-ckpt converting: writing unet/model.onnx_data");
    assertThat(pull.out()).contains("pulled tiny-ckpt (");
    assertThat(home.resolve("models/.tiny-ckpt.download")).doesNotExist();
    assertThat(run("models", "verify", "tiny-ckpt").rc()).isZero();

    Files.write(
        home.resolve("models/tiny-ckpt/unet/model.onnx_data"),
        new byte[] {1},
        java.nio.file.StandardOpenOption.APPEND);
    Run verify = run("models", "verify", "tiny-ckpt");
    assertThat(verify.rc()).isEqualTo(3);
    assertThat(verify.out()).contains("repair with: atelier models pull tiny-ckpt");
    Run repair = run("models", "pull", "tiny-ckpt");
    assertThat(repair.rc()).as(repair.err()).isZero();
    assertThat(run("models", "verify", "tiny-ckpt").rc()).isZero();

    Run gen =
        run(
            "generate",
            "a lighthouse",
            "--model",
            "tiny-ckpt",
            "--steps",
            "1",
            "-W",
            "64",
            "-H",
            "64",
            "--out",
            tmp.resolve("a.png").toString());
    assertThat(gen.rc()).as(gen.err()).isZero();
  }
}
