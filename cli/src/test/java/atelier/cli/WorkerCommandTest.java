package atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.AtelierHome;
import atelier.jobs.GenerateSpec;
import atelier.jobs.JobSpecs;
import atelier.server.Job;
import atelier.server.JobQueue;
import atelier.server.JobQueues;
import atelier.server.JobState;
import atelier.server.JobSubmission;
import atelier.testing.TestPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atelier worker}: runs a queued job into the shared storage, and refuses bad settings. */
class WorkerCommandTest {
  @TempDir Path home;

  @Test
  void badWorkerCountIsABadRequest() {
    CliRun r = CliRun.of("--home", home.toString(), "worker", "--workers", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo("atelier: --workers: expected 1 to 256 worker threads, found 0\n");
  }

  @Test
  void runsAQueuedJobIntoTheStorage() throws Exception {
    String db = "jdbc:sqlite:" + home.resolve("q.db");
    Job job;
    try (JobQueue queue = JobQueues.open(db, AtelierHome.at(home))) {
      String spec =
          JobSpecs.toJson(
              GenerateSpec.builder("a fox")
                  .model(TestPaths.tinyModel("sd15-optimum-1.22").toString())
                  .size(64, 64)
                  .steps(2)
                  .seed(3L)
                  .build());
      job = queue.submit(JobSubmission.of("generate", spec));
    }
    WorkerCommand.stop = new CountDownLatch(1);
    AtomicInteger code = new AtomicInteger(-1);
    Path storage = home.resolve("shared");
    Thread t =
        new Thread(
            () ->
                code.set(
                    Main.run(
                        new String[] {
                          "--home",
                          home.toString(),
                          "worker",
                          "--db",
                          db,
                          "--storage",
                          storage.toString()
                        },
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(new StringWriter(), true))));
    t.start();
    try (JobQueue queue = JobQueues.open(db, AtelierHome.at(home))) {
      for (int i = 0; i < 1200 && !queue.get(job.id()).orElseThrow().state().isFinal(); i++) {
        Thread.sleep(50);
      }
      Job done = queue.get(job.id()).orElseThrow();
      assertThat(done.state()).as(String.valueOf(done.errorMessage())).isEqualTo(JobState.DONE);
      assertThat(Files.exists(storage.resolve(queue.images(job.id()).get(0).path()))).isTrue();
    } finally {
      WorkerCommand.stop.countDown();
      t.join(30_000);
    }
    assertThat(code.get()).isEqualTo(0);
  }
}
