package atelier.model;

import atelier.ModelLoadException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive access to one model folder across threads and processes: a lock per lock file inside
 * this JVM (file locks are per process) and an OS file lock for other processes. Held while a model
 * is pulled, imported, verified or removed. Close it to release; not reentrant across processes.
 */
public final class StoreLock implements AutoCloseable {
  private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

  private final ReentrantLock local;
  private final FileChannel channel;
  private final FileLock fileLock;

  private StoreLock(ReentrantLock local, FileChannel channel, FileLock fileLock) {
    this.local = local;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  /**
   * Takes the lock, blocking until it is free.
   *
   * @param onWait run once, before blocking, when someone else holds the lock
   */
  static StoreLock acquire(Path lockFile, Runnable onWait) {
    ReentrantLock local =
        LOCAL.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
    boolean waited = false;
    if (!local.tryLock()) {
      onWait.run();
      waited = true;
      local.lock();
    }
    FileChannel channel = null;
    try {
      Files.createDirectories(lockFile.getParent());
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        if (!waited) {
          onWait.run();
        }
        lock = channel.lock();
      }
      return new StoreLock(local, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      local.unlock();
      throw new ModelLoadException("cannot lock " + lockFile + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      local.unlock();
      throw e;
    }
  }

  /**
   * Takes the lock only if nobody holds it: not another process, not another thread, and not the
   * calling thread itself (a holder's own staging is never taken for stale).
   *
   * @return the lock, or null when it is held
   */
  static StoreLock tryAcquire(Path lockFile) {
    ReentrantLock local =
        LOCAL.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
    if (local.isHeldByCurrentThread() || !local.tryLock()) {
      return null;
    }
    FileChannel channel = null;
    try {
      Files.createDirectories(lockFile.getParent());
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return new StoreLock(local, channel, lock);
      }
    } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
      // Treated as held: nothing is cleaned while in doubt.
    }
    closeQuietly(channel);
    local.unlock();
    return null;
  }

  @Override
  public void close() {
    try {
      if (fileLock.isValid()) {
        fileLock.release();
      }
    } catch (IOException e) {
      // Closing the channel below releases it too.
    } finally {
      closeQuietly(channel);
      if (local.isHeldByCurrentThread()) {
        local.unlock();
      }
    }
  }

  private static void closeQuietly(FileChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // Nothing more to release.
      }
    }
  }
}
