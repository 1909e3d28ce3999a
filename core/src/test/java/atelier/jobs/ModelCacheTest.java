package atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.CancelToken;
import atelier.ModelLoadException;
import atelier.ProgressListener;
import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.pipeline.GenerationRequest;
import atelier.pipeline.StableDiffusion;
import atelier.testing.TestPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The warm model cache on the tiny models: reuse, LRU eviction under a budget, leases, threads. */
class ModelCacheTest {
  private static final SessionSettings CPU = new SessionSettings(Device.CPU, 1, 0);
  private static final Path SD15 = TestPaths.tinyModel("sd15-optimum-1.22");
  private static final Path LCM = TestPaths.tinyModel("lcm-optimum");
  private static final Path TURBO = TestPaths.tinyModel("sd-turbo-optimum");

  /** A budget that holds one tiny model but not two. */
  private static long oneModel() {
    long a = ModelCache.estimateBytes(SD15);
    long b = ModelCache.estimateBytes(LCM);
    long c = ModelCache.estimateBytes(TURBO);
    return Math.max(a, Math.max(b, c)) + Math.min(a, Math.min(b, c)) / 2;
  }

  private static void paint(StableDiffusion sd) {
    sd.generate(
        GenerationRequest.builder("a fox").size(64, 64).steps(1).seed(1L).build(),
        ProgressListener.NONE,
        CancelToken.NONE);
  }

  @Test
  void aSecondLeaseOfTheSameModelReturnsTheWarmInstanceWithoutLoading() {
    try (ModelCache cache = new ModelCache(1L << 30)) {
      StableDiffusion first;
      try (ModelCache.Lease<StableDiffusion> a = cache.pipeline(SD15, CPU)) {
        first = a.get();
      }
      try (ModelCache.Lease<StableDiffusion> b =
          cache.pipeline(SD15.resolve("../sd15-optimum-1.22"), CPU)) {
        assertThat(b.get()).isSameAs(first);
        paint(b.get());
      }
      assertThat(cache.loads()).isEqualTo(1);
      assertThat(cache.usedBytes()).isEqualTo(ModelCache.estimateBytes(SD15));
      // Other session settings are another model.
      try (ModelCache.Lease<StableDiffusion> c =
          cache.pipeline(SD15, new SessionSettings(Device.CPU, 2, 0))) {
        assertThat(c.get()).isNotSameAs(first);
      }
      assertThat(cache.loads()).isEqualTo(2);
    }
  }

  @Test
  void overBudgetTheLeastRecentlyUsedUnleasedModelIsClosed() {
    try (ModelCache cache = new ModelCache(oneModel())) {
      StableDiffusion sd15;
      try (ModelCache.Lease<StableDiffusion> a = cache.pipeline(SD15, CPU)) {
        sd15 = a.get();
      }
      StableDiffusion lcm;
      try (ModelCache.Lease<StableDiffusion> b = cache.pipeline(LCM, CPU)) {
        lcm = b.get();
      }
      assertThat(cache.holds(SD15, CPU)).isFalse();
      assertThat(cache.holds(LCM, CPU)).isTrue();
      assertThatThrownBy(() -> paint(sd15))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("is closed");
      paint(lcm);
    }
    // With room for two: using SD 1.5 again makes LCM the least recently used, so Turbo evicts it.
    long a = ModelCache.estimateBytes(SD15);
    long b = ModelCache.estimateBytes(LCM);
    long c = ModelCache.estimateBytes(TURBO);
    try (ModelCache cache = new ModelCache(a + b + c - Math.min(a, Math.min(b, c)) / 2)) {
      for (Path model : List.of(SD15, LCM, SD15, TURBO)) {
        try (ModelCache.Lease<StableDiffusion> l = cache.pipeline(model, CPU)) {
          paint(l.get());
        }
      }
      assertThat(cache.holds(SD15, CPU)).isTrue();
      assertThat(cache.holds(TURBO, CPU)).isTrue();
      assertThat(cache.holds(LCM, CPU)).isFalse();
      assertThat(cache.loads()).isEqualTo(3);
    }
  }

  @Test
  void aLeasedModelIsNeverClosedUnderItsUserAndGoesOnceReleased() {
    try (ModelCache cache = new ModelCache(oneModel())) {
      ModelCache.Lease<StableDiffusion> held = cache.pipeline(SD15, CPU);
      try (ModelCache.Lease<StableDiffusion> other = cache.pipeline(LCM, CPU)) {
        paint(other.get());
      }
      // Over budget with SD 1.5 leased: LCM, unleased, went instead.
      assertThat(cache.holds(LCM, CPU)).isFalse();
      paint(held.get());
      try (ModelCache.Lease<StableDiffusion> other = cache.pipeline(LCM, CPU)) {
        // Both leased: over budget, but neither may be closed.
        paint(held.get());
        paint(other.get());
        assertThat(cache.usedBytes()).isGreaterThan(oneModel());
      }
      StableDiffusion sd = held.get();
      held.close();
      held.close();
      paint(sd); // within budget again once LCM went: SD 1.5 stays warm
      assertThat(cache.holds(SD15, CPU)).isTrue();
    }
  }

  @Test
  void zeroBudgetClosesEachModelWhenItsLastUserIsDone() {
    ModelCache cache = new ModelCache(0);
    StableDiffusion sd;
    try (ModelCache.Lease<StableDiffusion> a = cache.pipeline(SD15, CPU);
        ModelCache.Lease<StableDiffusion> b = cache.pipeline(SD15, CPU)) {
      sd = a.get();
      assertThat(b.get()).isSameAs(sd);
    }
    assertThat(cache.holds(SD15, CPU)).isFalse();
    assertThatThrownBy(() -> paint(sd)).isInstanceOf(IllegalStateException.class);
    cache.close();
    assertThatThrownBy(() -> cache.pipeline(SD15, CPU))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("model cache is closed");
  }

  @Test
  void closeWaitsForLeasesAndAFailedLoadCachesNothing() {
    ModelCache cache = new ModelCache(1L << 30);
    ModelCache.Lease<StableDiffusion> held = cache.pipeline(SD15, CPU);
    cache.close();
    paint(held.get()); // still usable: closing the cache does not close a leased model
    StableDiffusion sd = held.get();
    held.close();
    assertThatThrownBy(() -> paint(sd)).isInstanceOf(IllegalStateException.class);

    try (ModelCache c = new ModelCache(1L << 30)) {
      Path missing = SD15.resolveSibling("no-such-model");
      assertThatThrownBy(() -> c.pipeline(missing, CPU)).isInstanceOf(ModelLoadException.class);
      assertThat(c.holds(missing, CPU)).isFalse();
      assertThat(c.usedBytes()).isZero();
    }
  }

  @Test
  void threadsLeasingAtOnceShareOneLoadAndNoModelClosesUnderARun() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try (ModelCache cache = new ModelCache(oneModel())) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<StableDiffusion>> same = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        same.add(
            pool.submit(
                () -> {
                  start.await();
                  try (ModelCache.Lease<StableDiffusion> l = cache.pipeline(SD15, CPU)) {
                    paint(l.get());
                    return l.get();
                  }
                }));
      }
      start.countDown();
      StableDiffusion first = same.get(0).get(60, TimeUnit.SECONDS);
      for (Future<StableDiffusion> f : same) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isSameAs(first);
      }
      // Mixed models under a one-model budget: every run finishes on an open model.
      List<Future<?>> mixed = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Path model = List.of(SD15, LCM, TURBO).get(i % 3);
        mixed.add(
            pool.submit(
                () -> {
                  try (ModelCache.Lease<StableDiffusion> l = cache.pipeline(model, CPU)) {
                    paint(l.get());
                  }
                  return null;
                }));
      }
      for (Future<?> f : mixed) {
        f.get(120, TimeUnit.SECONDS);
      }
      assertThat(cache.usedBytes()).isLessThanOrEqualTo(oneModel());
    } finally {
      pool.shutdownNow();
    }
  }
}
