package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.CancelledException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The exit gate: drain stops running calls, waits for every thread inside, then refuses. */
class NativeGateTest {

  @Test
  void drainWaitsForAThreadInsideAndRefusesLaterCalls() throws Exception {
    NativeGate gate = new NativeGate();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger stops = new AtomicInteger();
    Runnable stopper = stops::incrementAndGet;
    Thread creator =
        new Thread(
            () -> {
              gate.enter("unet: loading");
              try {
                gate.addStopper(stopper);
                inside.countDown();
                release.await(); // a session being created: cannot be cut short
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                gate.removeStopper(stopper);
                gate.leave();
              }
            });
    creator.start();
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

    AtomicBoolean drained = new AtomicBoolean();
    Thread exit = new Thread(() -> drained.set(gate.drain(10_000)));
    exit.start();
    exit.join(300);
    assertThat(exit.isAlive()).as("drain waits while a thread is inside").isTrue();
    assertThat(stops.get()).as("running calls were asked to stop").isEqualTo(1);
    assertThatThrownBy(() -> gate.enter("vae_decoder"))
        .isInstanceOf(CancelledException.class)
        .hasMessage("vae_decoder: cancelled, the JVM is exiting");
    assertThat(gate.tryEnter()).isFalse();

    release.countDown();
    exit.join(10_000);
    assertThat(drained.get()).isTrue();
    assertThat(gate.inside()).isZero();
  }

  @Test
  void drainGivesUpAfterItsTimeout() {
    NativeGate gate = new NativeGate();
    gate.enter("stuck");
    assertThat(gate.drain(50)).isFalse();
    gate.leave();
    assertThat(gate.inside()).isZero();
  }

  @Test
  void aStopperAddedAfterTheDrainRunsAtOnce() {
    NativeGate gate = new NativeGate();
    gate.drain(0);
    AtomicInteger stops = new AtomicInteger();
    gate.addStopper(stops::incrementAndGet);
    assertThat(stops.get()).isEqualTo(1);
  }
}
