package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.testing.TestPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atelier serve}: refuses unsafe or bad settings, and serves the API when started. */
class ServeCommandTest {
  @TempDir Path home;

  @Test
  void anotherAddressWithoutATokenIsRefusedWithExitCode2() {
    CliRun r = CliRun.of("--home", home.toString(), "serve", "--host", "0.0.0.0", "--port", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "atelier: --host: listening on 0.0.0.0 lets other machines in, so it needs --token T"
                + " (or $ATELIER_TOKEN); found no token\n");
  }

  @Test
  void anImportRootWithoutATokenIsRefusedWithExitCode2() {
    CliRun r =
        CliRun.of(
            "--home", home.toString(), "serve", "--port", "0", "--import-root", home.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "atelier: --import-root: expected --token T (or $ATELIER_TOKEN) too, since an import"
                + " writes to the model store; found no token\n");
    Path none = home.resolve("no-such-folder");
    CliRun missing =
        CliRun.of(
            "--home",
            home.toString(),
            "serve",
            "--port",
            "0",
            "--token",
            "t",
            "--import-root",
            none.toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err())
        .isEqualTo(
            "atelier: --import-root: expected an existing folder, found nothing at '"
                + none
                + "'\n");
  }

  @Test
  void badPortAndWorkersAreBadRequests() {
    assertThat(CliRun.of("--home", home.toString(), "serve", "--port", "70000").err())
        .isEqualTo("atelier: --port: expected 0 to 65535, found 70000\n");
    assertThat(CliRun.of("--home", home.toString(), "serve", "--workers", "-1").exitCode())
        .isEqualTo(2);
  }

  @Test
  void servesTheApiUntilStopped() throws Exception {
    ServeCommand.stop = new CountDownLatch(1);
    StringWriter out = new StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    String model = TestPaths.tinyModel("sd15-optimum-1.22").toString();
    Thread t =
        new Thread(
            () ->
                code.set(
                    Main.run(
                        new String[] {
                          "--home",
                          home.toString(),
                          "serve",
                          "--port",
                          "0",
                          "--token",
                          "tok",
                          "--model",
                          model
                        },
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter(), true))));
    t.start();
    Pattern url = Pattern.compile("serving (http://127\\.0\\.0\\.1:\\d+/)");
    Matcher m = url.matcher("");
    for (int i = 0; i < 600 && !m.reset(out.toString()).find(); i++) {
      Thread.sleep(50);
    }
    assertThat(m.reset(out.toString()).find()).as(out.toString()).isTrue();
    HttpResponse<String> models =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(m.group(1) + "api/models"))
                    .header("Authorization", "Bearer tok")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(models.statusCode()).isEqualTo(200);
    assertThat(models.body()).contains("\"id\":\"sd15-optimum-1.22\",\"default\":true");
    ServeCommand.stop.countDown();
    t.join(30_000);
    assertThat(code.get()).isEqualTo(0);
  }
}
