package atelier.model;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a response body to a {@code .part} file as it arrives, hashing on the way, and records the
 * time of the last byte so a stalled transfer can be told apart from a slow one. One per request;
 * the HTTP client calls it on its own threads, one call at a time, while the caller watches {@link
 * #present()} and {@link #lastActivity()}.
 */
final class PartFileSink implements HttpResponse.BodySubscriber<Long> {
  private final CompletableFuture<Long> body = new CompletableFuture<>();
  private final FileChannel channel;
  private final MessageDigest digest;
  private final AtomicLong present;
  private final AtomicLong lastActivity;
  private volatile Flow.Subscription subscription;

  /**
   * @param append true to continue the part file, false to start it anew
   * @param digest a digest already fed with the bytes the part file holds (when appending)
   * @param present the part file's length, updated as bytes land
   * @param lastActivity nanoTime of the last received bytes, updated as they land
   */
  PartFileSink(
      Path part, boolean append, MessageDigest digest, AtomicLong present, AtomicLong lastActivity)
      throws IOException {
    this.channel =
        append
            ? FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
            : FileChannel.open(
                part,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    this.digest = digest;
    this.present = present;
    this.lastActivity = lastActivity;
    if (!append) {
      present.set(0);
    }
  }

  MessageDigest digest() {
    return digest;
  }

  @Override
  public CompletionStage<Long> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (body.isDone()) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    try {
      for (ByteBuffer b : buffers) {
        ByteBuffer forDigest = b.duplicate();
        while (b.hasRemaining()) {
          present.addAndGet(channel.write(b));
        }
        digest.update(forDigest);
      }
      lastActivity.set(System.nanoTime());
      subscription.request(1);
    } catch (IOException e) {
      abort(new IOException("writing the download failed: " + e.getMessage(), e));
    }
  }

  @Override
  public void onError(Throwable t) {
    close();
    body.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    try {
      channel.force(false);
      channel.close();
      body.complete(present.get());
    } catch (IOException e) {
      body.completeExceptionally(e);
    }
  }

  /** Stops the transfer (stall, cancellation, write failure); the part file keeps what arrived. */
  void abort(Throwable why) {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    close();
    body.completeExceptionally(why);
  }

  private void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing after a failure: the failure is what gets reported.
    }
  }
}
