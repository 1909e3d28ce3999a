package atelier.model.checkpoint;

import atelier.CancelToken;
import atelier.model.ModelManifest;
import atelier.model.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Writes the model folder of a {@link ConversionPlan}: per stage the template's graph and an
 * external-data file filled with the checkpoint's weights as float32 (float16, bfloat16 and float64
 * converted), in the order and at the offsets the graph names; then the configs and tokenizer files
 * of the family. Weights stream through small buffers (a tensor that is sliced or transposed is
 * held alone), so the checkpoint is never in memory.
 *
 * <p>Every file is hashed as it is written, for the store's manifest. Stateless; one call per
 * folder.
 */
public final class CheckpointConverter {
  /** Receives the bytes of weights written so far and the total. */
  @FunctionalInterface
  public interface Progress {
    void written(String file, long bytes, long total);
  }

  private CheckpointConverter() {}

  /**
   * Writes the folder; it must not exist yet.
   *
   * @return a record of every file written (relative path, size, SHA-256)
   * @throws IOException when writing fails (a full disk included); the caller removes the folder
   */
  public static List<ModelManifest.FileRecord> write(
      ConversionPlan plan, Path folder, Progress progress, CancelToken cancel) throws IOException {
    Files.createDirectories(folder);
    List<ModelManifest.FileRecord> records = new ArrayList<>();
    long total = plan.template().dataBytes();
    long done = 0;
    for (CheckpointTemplate.Stage stage : plan.template().stages()) {
      Path dir = folder.resolve(stage.folder());
      Files.createDirectories(dir);
      records.add(copy(plan.template(), stage.graph(), dir.resolve("model.onnx"), folder));
      String rel = stage.folder() + "/" + stage.data();
      Path data = dir.resolve(stage.data());
      MessageDigest sha = sha256();
      try (FileChannel file =
          FileChannel.open(data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        HashingChannel out = new HashingChannel(file, sha);
        for (CheckpointTemplate.Weight w : stage.tensors()) {
          cancel.check();
          if (out.written != w.offset()) {
            throw new IllegalStateException(
                rel + ": " + w.name() + " expected at byte " + w.offset() + ", at " + out.written);
          }
          long n = writeWeight(plan, w, out);
          if (n != w.length()) {
            throw new IllegalStateException(
                w.key() + ": expected " + w.length() + " bytes for " + w.name() + ", wrote " + n);
          }
          done += n;
          progress.written(rel, done, total);
        }
      }
      records.add(record(rel, data, HexFormat.of().formatHex(sha.digest())));
    }
    for (Map.Entry<String, String> f :
        plan.template().variants().get(plan.family().id()).entrySet()) {
      if (plan.copied().containsKey(f.getKey())) {
        continue;
      }
      Path target = folder.resolve(f.getKey());
      Files.createDirectories(target.getParent());
      records.add(copy(plan.template(), f.getValue(), target, folder));
    }
    for (Map.Entry<String, Path> f : plan.copied().entrySet()) {
      Path target = folder.resolve(f.getKey());
      Files.createDirectories(target.getParent());
      try (InputStream in = Files.newInputStream(f.getValue())) {
        records.add(write(in, target, folder));
      }
    }
    return records;
  }

  private static long writeWeight(
      ConversionPlan plan, CheckpointTemplate.Weight w, WritableByteChannel out)
      throws IOException {
    ConversionPlan.Source source = plan.locate(w);
    SafeTensors file = source.file();
    String key = source.key();
    if (source.rows() == null && !w.transpose()) {
      return file.copyAsFloat32(key, out);
    }
    SafeTensors.TensorInfo info = file.info(key);
    float[] all = file.readFloats(key);
    int rows = (int) info.shape()[0];
    int cols = all.length / rows;
    int first = source.rows() == null ? 0 : source.rows()[0];
    int last = source.rows() == null ? rows : source.rows()[1];
    int n = last - first;
    float[] part = new float[n * cols];
    if (w.transpose()) {
      for (int r = 0; r < n; r++) {
        for (int c = 0; c < cols; c++) {
          part[c * n + r] = all[(first + r) * cols + c];
        }
      }
    } else {
      System.arraycopy(all, first * cols, part, 0, part.length);
    }
    ByteBuffer bytes =
        ByteBuffer.allocate(part.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(part);
    while (bytes.hasRemaining()) {
      out.write(bytes);
    }
    return (long) part.length * Float.BYTES;
  }

  private static ModelManifest.FileRecord copy(
      CheckpointTemplate t, String resource, Path target, Path folder) throws IOException {
    try (InputStream in = t.open(resource)) {
      return write(in, target, folder);
    }
  }

  private static ModelManifest.FileRecord write(InputStream in, Path target, Path folder)
      throws IOException {
    MessageDigest sha = sha256();
    try (OutputStream out =
        new DigestOutputStream(Files.newOutputStream(target, StandardOpenOption.CREATE_NEW), sha)) {
      in.transferTo(out);
    }
    String rel = folder.relativize(target).toString().replace('\\', '/');
    return record(rel, target, HexFormat.of().formatHex(sha.digest()));
  }

  private static ModelManifest.FileRecord record(String rel, Path file, String sha)
      throws IOException {
    return new ModelManifest.FileRecord(
        rel, Files.size(file), sha, "convert", Files.getLastModifiedTime(file).toMillis());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** A channel that hashes and counts what passes through it. */
  static final class HashingChannel implements WritableByteChannel {
    private final WritableByteChannel out;
    private final MessageDigest digest;
    long written;

    HashingChannel(WritableByteChannel out, MessageDigest digest) {
      this.out = out;
      this.digest = digest;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      ByteBuffer view = src.duplicate();
      int n = out.write(src);
      view.limit(view.position() + n);
      digest.update(view);
      written += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return out.isOpen();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
