package atelier.jobs;

import atelier.model.SessionSettings;
import atelier.model.lora.LoraUse;
import atelier.pipeline.StableDiffusion;
import atelier.upscale.Upscaler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Loaded models kept warm between jobs: Stable Diffusion pipelines and upscalers, keyed by their
 * folder (or file) and session settings, least recently used first out when the estimated size of
 * the unleased models passes a memory budget.
 *
 * <p>Every use is a {@link Lease}: while any lease on a model is open the model is never closed,
 * whatever the budget says (native sessions must not be closed while a thread is inside them); it
 * becomes a candidate for eviction once its last lease is released. A budget of 0 therefore closes
 * each model as soon as its last user is done, as a one-shot command wants.
 *
 * <p>Thread-safe. Two threads asking for the same model at once share one load. A model's size is
 * estimated from its files on disk ({@link #estimateBytes}), which is close to what ONNX Runtime
 * allocates for float weights.
 */
public final class ModelCache implements AutoCloseable {
  private final long budgetBytes;
  private final Map<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long loads;
  private boolean closed;

  /**
   * A cache that keeps unleased models while their estimated sizes sum to at most {@code
   * budgetBytes}.
   */
  public ModelCache(long budgetBytes) {
    if (budgetBytes < 0) {
      throw new IllegalArgumentException(
          "model cache budget: expected 0 bytes or more, found " + budgetBytes);
    }
    this.budgetBytes = budgetBytes;
  }

  /**
   * What a lease is on; the same folder with other session settings, or with other LoRAs merged
   * (files and weights), is another model.
   */
  private record Key(String kind, Path path, SessionSettings settings, List<LoraUse> loras) {}

  private static final class Entry {
    final Key key;
    final CompletableFuture<AutoCloseable> model = new CompletableFuture<>();
    long bytes;
    int leases;

    Entry(Key key) {
      this.key = key;
    }
  }

  /**
   * Use of one cached model. Close it when done (try-with-resources); closing twice is harmless.
   * Not to be shared between threads that close it.
   */
  public final class Lease<T> implements AutoCloseable {
    private final Entry entry;
    private final T model;
    private boolean released;

    private Lease(Entry entry, T model) {
      this.entry = entry;
      this.model = model;
    }

    /** The model, usable until this lease is closed. */
    public T get() {
      if (released) {
        throw new IllegalStateException("lease on " + entry.key.path() + " is already released");
      }
      return model;
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        release(entry);
      }
    }
  }

  /**
   * A lease on the Stable Diffusion model in {@code dir}, loading it unless it is warm.
   *
   * @throws atelier.ModelLoadException when it cannot be loaded (nothing is cached then)
   */
  public Lease<StableDiffusion> pipeline(Path dir, SessionSettings settings) {
    return pipeline(dir, settings, List.of());
  }

  /**
   * A lease on the model in {@code dir} with {@code loras} merged into its weights (another cache
   * entry than the plain model; the same LoRAs with the same weights share one).
   *
   * @throws atelier.BadRequestException when a LoRA is unreadable or made for another model
   */
  public Lease<StableDiffusion> pipeline(Path dir, SessionSettings settings, List<LoraUse> loras) {
    List<LoraUse> key =
        loras.stream()
            .map(l -> new LoraUse(l.name(), l.file().toAbsolutePath().normalize(), l.weight()))
            .toList();
    return lease(
        "pipeline",
        dir,
        settings,
        key,
        StableDiffusion.class,
        () -> StableDiffusion.load(dir, settings, key));
  }

  /**
   * A lease on the upscaler at {@code fileOrFolder}, loading it unless it is warm.
   *
   * @throws atelier.ModelLoadException when it cannot be loaded
   */
  public Lease<Upscaler> upscaler(Path fileOrFolder, SessionSettings settings) {
    return lease(
        "upscaler",
        fileOrFolder,
        settings,
        List.of(),
        Upscaler.class,
        () -> Upscaler.open(fileOrFolder, settings));
  }

  private <T extends AutoCloseable> Lease<T> lease(
      String kind,
      Path path,
      SessionSettings settings,
      List<LoraUse> loras,
      Class<T> type,
      Supplier<T> loader) {
    Key key = new Key(kind, path.toAbsolutePath().normalize(), settings, loras);
    Entry entry;
    boolean load;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("model cache is closed");
      }
      entry = entries.get(key);
      load = entry == null;
      if (load) {
        entry = new Entry(key);
        entries.put(key, entry);
        loads++;
      }
      entry.leases++;
    }
    if (load) {
      try {
        T model = loader.get();
        long bytes = estimateBytes(key.path());
        synchronized (this) {
          entry.bytes = bytes;
        }
        entry.model.complete(model);
      } catch (RuntimeException | Error e) {
        synchronized (this) {
          entries.remove(key, entry);
          entry.leases--;
        }
        entry.model.completeExceptionally(e);
        throw e;
      }
    }
    AutoCloseable model;
    try {
      model = entry.model.join();
    } catch (CompletionException e) {
      synchronized (this) {
        entry.leases--;
      }
      // The loading thread already threw the original; rethrow it here as well.
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
    Lease<T> lease = new Lease<>(entry, type.cast(model));
    try {
      evict();
    } catch (RuntimeException e) {
      lease.close();
      throw e;
    }
    return lease;
  }

  private void release(Entry entry) {
    synchronized (this) {
      entry.leases--;
      entries.get(entry.key); // a model in use until now counts as recently used
      if (closed && entry.leases == 0) {
        entries.remove(entry.key, entry);
        closeQuietly(List.of(entry));
        return;
      }
    }
    evict();
  }

  /** Closes unleased models, least recently used first, until the rest fit the budget. */
  private void evict() {
    List<Entry> out = new ArrayList<>();
    synchronized (this) {
      long used = usedBytesLocked();
      for (var it = entries.values().iterator(); it.hasNext() && used > budgetBytes; ) {
        Entry e = it.next();
        if (e.leases == 0 && e.model.isDone()) {
          it.remove();
          used -= e.bytes;
          out.add(e);
        }
      }
    }
    closeQuietly(out);
  }

  private long usedBytesLocked() {
    long sum = 0;
    for (Entry e : entries.values()) {
      sum += e.bytes;
    }
    return sum;
  }

  /** The estimated bytes of the models now held (leased or warm). */
  public synchronized long usedBytes() {
    return usedBytesLocked();
  }

  /** How many models were loaded since the cache was made (a lease on a warm model loads none). */
  public synchronized long loads() {
    return loads;
  }

  /** Whether the model in {@code path} with these settings is held now (leased or warm). */
  public synchronized boolean holds(Path path, SessionSettings settings) {
    Path p = path.toAbsolutePath().normalize();
    return entries.keySet().stream()
        .anyMatch(k -> k.path().equals(p) && k.settings().equals(settings));
  }

  /**
   * Closes every unleased model now and each leased one when its last lease is released; later
   * leases fail. Idempotent.
   */
  @Override
  public void close() {
    List<Entry> out = new ArrayList<>();
    synchronized (this) {
      closed = true;
      for (var it = entries.values().iterator(); it.hasNext(); ) {
        Entry e = it.next();
        if (e.leases == 0) {
          it.remove();
          out.add(e);
        }
      }
    }
    closeQuietly(out);
  }

  private static void closeQuietly(List<Entry> out) {
    RuntimeException failure = null;
    for (Entry e : out) {
      AutoCloseable m = e.model.getNow(null);
      if (m == null) {
        continue;
      }
      try {
        m.close();
      } catch (Exception x) {
        if (failure == null) {
          failure = new IllegalStateException("closing model " + e.key.path() + " failed", x);
        } else {
          failure.addSuppressed(x);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * A model's estimated memory: the bytes of its files (every regular file under a folder, or the
   * file itself).
   */
  public static long estimateBytes(Path fileOrFolder) {
    if (Files.isRegularFile(fileOrFolder)) {
      try {
        return Files.size(fileOrFolder);
      } catch (IOException e) {
        throw new UncheckedIOException("reading the size of " + fileOrFolder + " failed", e);
      }
    }
    try (Stream<Path> s = Files.walk(fileOrFolder)) {
      return s.filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0; // a file that vanished while walking does not count
                }
              })
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + fileOrFolder + " failed", e);
    }
  }
}
