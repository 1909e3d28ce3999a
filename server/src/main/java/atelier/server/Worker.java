package atelier.server;

import atelier.AtelierException;
import atelier.AtomicFiles;
import atelier.CancelToken;
import atelier.CancelledException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Runs jobs from a {@link JobQueue} on N threads: each claims a job under a lease, renews the lease
 * while the {@link JobExecutor} works, stops when the job is cancelled or the lease is lost, writes
 * the outputs under {@code storage} (each to a hidden part file renamed into place, so no half
 * image ever has a final name) and only then commits the job as done together with its image rows.
 * A failing job is recorded as failed and the thread moves on. Thread-safe; start once, close once.
 */
public final class Worker implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Worker.class.getName());
  private static final Pattern PART = Pattern.compile("\\..+\\.[0-9a-f]{1,16}\\.part");

  private final JobQueue queue;
  private final JobExecutor executor;
  private final Path storage;
  private final WorkerSettings settings;
  private final String name;
  private final List<Thread> threads = new ArrayList<>();
  private final ScheduledExecutorService heartbeats;
  private final AtomicLong lastRequeue = new AtomicLong(System.nanoTime() - (1L << 62));
  private volatile boolean stopping;

  /**
   * @param storage the output root that the image rows' paths are relative to; shared by every
   *     worker and the server
   */
  public Worker(JobQueue queue, JobExecutor executor, Path storage, WorkerSettings settings) {
    this.queue = queue;
    this.executor = executor;
    this.storage = storage.toAbsolutePath();
    this.settings = settings;
    this.name = host() + ":" + ProcessHandle.current().pid() + ":" + shortId();
    this.heartbeats =
        Executors.newScheduledThreadPool(
            1,
            r -> {
              Thread t = new Thread(r, "atelier-heartbeat");
              t.setDaemon(true);
              return t;
            });
  }

  /** This worker's name; its threads claim jobs as {@code NAME/1}, {@code NAME/2}, …. */
  public String name() {
    return name;
  }

  /** Starts the threads. */
  public synchronized void start() {
    if (!threads.isEmpty()) {
      throw new IllegalStateException("worker " + name + " was already started");
    }
    expireLeasesOfDeadLocalWorkers();
    removeStalePartFiles();
    for (int i = 1; i <= settings.threads(); i++) {
      String id = name + "/" + i;
      Thread t = new Thread(() -> loop(id), "atelier-worker-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /**
   * Stops claiming, lets running jobs finish for up to {@code grace}, then leaves any still running
   * to be re-queued when their leases expire.
   */
  public void stop(Duration grace) {
    stopping = true;
    long deadline = System.nanoTime() + grace.toNanos();
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    heartbeats.shutdownNow();
  }

  @Override
  public void close() {
    stop(settings.heartbeat());
  }

  private void loop(String workerId) {
    while (!stopping) {
      try {
        requeueExpiredNowAndThen();
        Optional<Job> job = stopping ? Optional.empty() : queue.claim(workerId, settings.lease());
        if (job.isPresent()) {
          run(job.get(), workerId);
        } else {
          Thread.sleep(settings.poll().toMillis());
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // The database hiccupped (or a bug outside any job): keep the worker alive and try again.
        LOG.log(Level.WARNING, "worker " + workerId + ": " + e.getMessage(), e);
        try {
          Thread.sleep(settings.poll().toMillis());
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /**
   * Ends at once the leases of running jobs whose worker was a process on this machine that no
   * longer exists (a restart after {@code kill -9} or a crash), so they run again now rather than
   * after their lease. A worker on another machine, or whose process id was reused, is left to its
   * lease; a live worker whose job is released here by mistake (hosts sharing a name with separate
   * process namespaces) only loses its lease and stops, never completes the job twice.
   */
  void expireLeasesOfDeadLocalWorkers() {
    String prefix = host() + ":";
    long self = ProcessHandle.current().pid();
    for (int offset = 0; ; offset += 1000) {
      List<Job> running = queue.list(JobState.RUNNING, offset, 1000);
      for (Job job : running) {
        String worker = job.workerId();
        if (worker == null || !worker.startsWith(prefix)) {
          continue;
        }
        String[] parts = worker.substring(prefix.length()).split(":", 2);
        long pid;
        try {
          pid = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
          continue;
        }
        if (pid != self && ProcessHandle.of(pid).isEmpty()) {
          LOG.log(
              Level.INFO,
              "job " + job.id() + ": its worker " + worker + " is gone; running it again");
          queue.expireLease(job.id(), worker);
        }
      }
      if (running.size() < 1000) {
        return;
      }
    }
  }

  /**
   * Removes the hidden part files ({@code .NAME.HEX.part}) that writers killed mid-write left in
   * the output folder. Only files untouched for two leases go: a live writer finishes an image in
   * far less, and its job would have lost its lease by then anyway.
   */
  void removeStalePartFiles() {
    if (!Files.isDirectory(storage)) {
      return;
    }
    long cutoff = System.currentTimeMillis() - 2 * settings.lease().toMillis();
    try (DirectoryStream<Path> parts = Files.newDirectoryStream(storage, ".*.part")) {
      for (Path part : parts) {
        if (PART.matcher(part.getFileName().toString()).matches()
            && Files.isRegularFile(part, LinkOption.NOFOLLOW_LINKS)
            && Files.getLastModifiedTime(part).toMillis() < cutoff) {
          Files.deleteIfExists(part);
        }
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot clean part files in " + storage + ": " + e);
    }
  }

  /** Returns dead workers' jobs to the queue, at most once per heartbeat interval per worker. */
  private void requeueExpiredNowAndThen() {
    long now = System.nanoTime();
    long last = lastRequeue.get();
    if (now - last >= settings.heartbeat().toNanos() && lastRequeue.compareAndSet(last, now)) {
      queue.requeueExpired(settings.maxAttempts());
    }
  }

  private void run(Job job, String workerId) {
    Control control = new Control();
    long every = settings.heartbeat().toMillis();
    ScheduledFuture<?> beat =
        heartbeats.scheduleAtFixedRate(
            () -> heartbeat(job, workerId, control), every, every, TimeUnit.MILLISECONDS);
    try {
      JobOutcome outcome;
      try {
        outcome = executor.execute(job, control);
      } catch (CancelledException e) {
        if (!control.lost) {
          queue.markCancelled(job.id(), workerId);
        }
        return;
      } catch (AtelierException e) {
        record(job, workerId, control, e.kind().name().toLowerCase(Locale.ROOT), e.getMessage());
        return;
      } catch (Exception
          | StackOverflowError
          | OutOfMemoryError
          | LinkageError
          | AssertionError e) {
        // A bug or an exhausted resource in one job: record it and keep this thread serving.
        LOG.log(Level.ERROR, "job " + job.id() + " (" + job.kind() + ") failed", e);
        record(job, workerId, control, "internal", e.toString());
        return;
      }
      if (control.lost) {
        return;
      }
      List<ImageRow> rows = new ArrayList<>();
      List<OutputImage> images = outcome.images();
      for (int i = 0; i < images.size(); i++) {
        OutputImage image = images.get(i);
        String relative = job.id() + "-" + i + "." + image.extension();
        try {
          AtomicFiles.write(storage.resolve(relative), image.bytes());
        } catch (IOException e) {
          record(job, workerId, control, "internal", "cannot write output " + relative + ": " + e);
          return;
        }
        rows.add(
            new ImageRow(
                UUID.randomUUID().toString(),
                job.id(),
                i,
                relative,
                image.prompt(),
                image.model(),
                image.recipe(),
                image.record(),
                null));
      }
      if (!queue.complete(job.id(), workerId, rows, outcome.result())) {
        LOG.log(
            Level.WARNING,
            "job " + job.id() + ": lease lost before completion; another worker has it");
      }
    } finally {
      beat.cancel(false);
    }
  }

  private void record(Job job, String workerId, Control control, String kind, String message) {
    if (!control.lost) {
      queue.fail(job.id(), workerId, kind, message);
    }
  }

  private void heartbeat(Job job, String workerId, Control control) {
    try {
      JobQueue.LeaseStatus status =
          queue.heartbeat(job.id(), workerId, settings.lease(), control.step, control.total);
      if (status == JobQueue.LeaseStatus.LOST) {
        control.lost = true;
        control.token.cancel();
      } else if (status == JobQueue.LeaseStatus.CANCEL_REQUESTED) {
        control.token.cancel();
      }
    } catch (RuntimeException e) {
      // A missed heartbeat is retried at the next tick; the lease outlasts several of them.
      LOG.log(Level.WARNING, "job " + job.id() + ": heartbeat failed: " + e.getMessage());
    }
  }

  private static final class Control implements JobControl {
    final CancelToken token = new CancelToken();
    volatile int step;
    volatile int total;
    volatile boolean lost;

    @Override
    public void progress(int step, int total) {
      this.step = step;
      this.total = total;
    }

    @Override
    public CancelToken cancelToken() {
      return token;
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
