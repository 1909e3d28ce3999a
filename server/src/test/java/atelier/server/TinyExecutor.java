package atelier.server;

import atelier.BadRequestException;
import atelier.CancelToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * A real, tiny executor for queue tests: the {@code tiny} job paints a small PNG from its spec's
 * seed (the same seed always gives the same bytes), optionally taking {@code sleepMs} in 10 ms
 * steps that honour cancellation, and fails with a bad request when its spec says {@code "fail"}.
 * When given a folder it appends each job id it starts to {@code starts-PID.log} there, so a test
 * can count executions across processes. Thread-safe.
 */
final class TinyExecutor implements JobExecutor {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path startsLog;

  TinyExecutor(Path startsDir) {
    this.startsLog =
        startsDir == null
            ? null
            : startsDir.resolve("starts-" + ProcessHandle.current().pid() + ".log");
  }

  @Override
  public JobOutcome execute(Job job, JobControl control) throws Exception {
    if (startsLog != null) {
      synchronized (this) {
        Files.writeString(
            startsLog,
            job.id() + "\n",
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    }
    JsonNode spec = JSON.readTree(job.spec());
    if (spec.path("fail").asBoolean(false)) {
      throw new BadRequestException("tiny job: expected \"fail\": false, found true");
    }
    long sleepMs = spec.path("sleepMs").asLong(0);
    int steps = (int) Math.max(1, sleepMs / 10);
    CancelToken token = control.cancelToken();
    for (int step = 1; step <= steps; step++) {
      token.check();
      if (sleepMs > 0) {
        Thread.sleep(10);
      }
      control.progress(step, steps);
    }
    long seed = spec.get("seed").asLong();
    return new JobOutcome(
        List.of(new OutputImage("png", png(seed), "tiny " + seed, "tiny-model", null, null)));
  }

  /** The PNG the {@code tiny} job makes for {@code seed}. */
  static byte[] png(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
