package atelier.model;

import atelier.CancelledException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Counts the threads inside ONNX Runtime so the JVM's exit can wait for them: every native call
 * {@link #enter enters} and {@link #leave leaves}; {@link #drain} closes the gate, asks running
 * sessions to stop and waits until no thread is inside. Thread-safe.
 */
final class NativeGate {
  private final Object lock = new Object();
  private final Set<Runnable> stoppers = new LinkedHashSet<>();
  private int inside;
  private boolean closed;

  /**
   * Lets the calling thread into ONNX Runtime; pair with {@link #leave} in {@code finally}.
   *
   * @param what the work, for the message
   * @throws CancelledException when the gate is closed (the JVM is exiting)
   */
  void enter(String what) {
    synchronized (lock) {
      if (closed) {
        throw new CancelledException(what + ": cancelled, the JVM is exiting");
      }
      inside++;
    }
  }

  /** Like {@link #enter}, but answers false instead of throwing when the gate is closed. */
  boolean tryEnter() {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      inside++;
      return true;
    }
  }

  /** The calling thread left ONNX Runtime. */
  void leave() {
    synchronized (lock) {
      if (inside <= 0) {
        throw new IllegalStateException("NativeGate.leave without enter");
      }
      inside--;
      if (inside == 0) {
        lock.notifyAll();
      }
    }
  }

  /**
   * Registers how to stop a running call early (it must stay safe to call until {@link
   * #removeStopper} returns); runs it at once when the gate is already closed.
   */
  void addStopper(Runnable stopper) {
    synchronized (lock) {
      stoppers.add(stopper);
      if (closed) {
        stopper.run();
      }
    }
  }

  /** After this returns the stopper is never called again. */
  void removeStopper(Runnable stopper) {
    synchronized (lock) {
      stoppers.remove(stopper);
    }
  }

  /** Whether {@link #drain} has closed the gate. */
  boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** Threads inside now (for tests). */
  int inside() {
    synchronized (lock) {
      return inside;
    }
  }

  /**
   * Closes the gate for good, stops running calls and waits up to {@code timeoutMillis} for every
   * thread to leave.
   *
   * @return true when no thread is inside
   */
  boolean drain(long timeoutMillis) {
    synchronized (lock) {
      closed = true;
      List<Runnable> running = new ArrayList<>(stoppers);
      for (Runnable r : running) {
        try {
          r.run();
        } catch (RuntimeException e) {
          // A stopper that fails only means that call runs to its end; keep waiting for it.
        }
      }
      long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
      boolean interrupted = false;
      while (inside > 0) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          break;
        }
        try {
          lock.wait(left);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return inside == 0;
    }
  }
}
