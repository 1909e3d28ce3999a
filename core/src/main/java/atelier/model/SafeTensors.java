package atelier.model;

import ai.onnxruntime.platform.Fp16Conversions;
import atelier.BadRequestException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A reader of the safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
 * header mapping tensor names to {@code dtype}, {@code shape} and {@code data_offsets} (relative to
 * the end of the header), an optional {@code __metadata__} map of strings, then the raw
 * little-endian tensor bytes.
 *
 * <p>Why hand-written: the format is four lines of specification, and checkpoints, LoRA files and
 * diffusers folders all use it. Every offset and size in the header is checked against the file
 * before anything is read, so a header that lies is refused, never followed past the file's end.
 * Tensors are read on demand through the open channel; nothing is held in memory but the header.
 *
 * <p>Not thread-safe for reads that interleave on one instance (positional reads are, but callers
 * should not rely on it). Close it to release the file.
 */
public final class SafeTensors implements Closeable {
  /** Largest JSON header accepted (the format's own readers cap it at 100 MB). */
  public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private static final int COPY_CHUNK_ELEMENTS = 1 << 20;

  /** The element types of the format, with their size in bytes. */
  public enum DType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U8(1),
    BOOL(1);

    private final int bytes;

    DType(int bytes) {
      this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
      return bytes;
    }

    /** True for the floating-point types, which {@link #readFloats} converts to float32. */
    public boolean isFloat() {
      return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /**
     * The type with this header spelling (e.g. "F16").
     *
     * @throws BadRequestException naming the supported types when there is none
     */
    public static DType lookup(String name) {
      for (DType t : values()) {
        if (t.name().equals(name)) {
          return t;
        }
      }
      List<String> names = new ArrayList<>();
      for (DType t : values()) {
        names.add(t.name());
      }
      throw new BadRequestException("dtype: expected one of " + names + ", found \"" + name + "\"");
    }
  }

  /**
   * One tensor's header entry.
   *
   * @param name the tensor's key
   * @param dtype element type
   * @param shape dimensions (empty for a scalar)
   * @param begin first byte, relative to the data section
   * @param end one past the last byte, relative to the data section
   */
  public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    /** Number of elements (1 for a scalar). */
    public long elements() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }

    /** Size of the data in bytes. */
    public long byteSize() {
      return end - begin;
    }

    /** The shape as text, e.g. "[320, 4, 3, 3]". */
    public String shapeText() {
      return java.util.Arrays.toString(shape);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafeTensors(
      Path file,
      FileChannel channel,
      long dataStart,
      Map<String, TensorInfo> tensors,
      Map<String, String> metadata) {
    this.file = file;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Opens a safetensors file and validates its header against the file's size.
   *
   * @throws BadRequestException when the file is missing, not safetensors, truncated, or its header
   *     names an unknown dtype or offsets outside the file
   */
  public static SafeTensors open(Path file) {
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new BadRequestException(file + ": expected a safetensors file, found no such file");
    } catch (IOException e) {
      throw new BadRequestException(file + ": cannot be read (" + e.getMessage() + ")", e);
    }
    try {
      SafeTensors result = parse(file, channel);
      return result;
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static SafeTensors parse(Path file, FileChannel channel) {
    try {
      if (Files.isDirectory(file)) {
        throw new BadRequestException(file + ": expected a safetensors file, found a folder");
      }
      long size = channel.size();
      if (size < 8) {
        throw notSafetensors(file, "a file of " + size + " bytes");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0);
      long headerLength = lengthBytes.flip().getLong();
      if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
        throw notSafetensors(
            file,
            "a header length of "
                + Long.toUnsignedString(headerLength)
                + " bytes in a file of "
                + size
                + " bytes");
      }
      ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
      readFully(channel, headerBytes, 8);
      String headerText = new String(headerBytes.array(), StandardCharsets.UTF_8);
      if (!headerText.startsWith("{")) {
        throw notSafetensors(file, "a header that does not start with '{'");
      }
      JsonNode header;
      try {
        header = JSON.readTree(headerText);
      } catch (JsonProcessingException e) {
        throw notSafetensors(file, "a header that is not JSON (" + e.getOriginalMessage() + ")");
      }
      if (header == null || !header.isObject()) {
        throw notSafetensors(file, "a header that is not a JSON object");
      }
      long dataStart = 8 + headerLength;
      long dataSize = size - dataStart;
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getKey().equals("__metadata__")) {
          if (field.getValue().isObject()) {
            field
                .getValue()
                .fields()
                .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          }
          continue;
        }
        TensorInfo info = tensorInfo(file, field.getKey(), field.getValue(), dataSize);
        tensors.put(info.name(), info);
      }
      return new SafeTensors(
          file,
          channel,
          dataStart,
          Collections.unmodifiableMap(tensors),
          Collections.unmodifiableMap(metadata));
    } catch (IOException e) {
      throw new BadRequestException(file + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }

  private static TensorInfo tensorInfo(Path file, String name, JsonNode node, long dataSize) {
    String where = file + ": tensor \"" + name + "\"";
    if (!node.isObject()) {
      throw new BadRequestException(where + ": expected an object, found " + node.getNodeType());
    }
    JsonNode dtypeNode = node.get("dtype");
    JsonNode shapeNode = node.get("shape");
    JsonNode offsetsNode = node.get("data_offsets");
    if (dtypeNode == null || shapeNode == null || offsetsNode == null) {
      throw new BadRequestException(
          where + ": expected dtype, shape and data_offsets, found " + fieldNames(node));
    }
    DType dtype;
    try {
      dtype = DType.lookup(dtypeNode.asText());
    } catch (BadRequestException e) {
      throw new BadRequestException(where + ": " + e.getMessage());
    }
    if (!shapeNode.isArray()) {
      throw new BadRequestException(where + ": expected shape as an array, found " + shapeNode);
    }
    long[] shape = new long[shapeNode.size()];
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new BadRequestException(
            where + ": expected non-negative integer dimensions, found shape " + shapeNode);
      }
      shape[i] = d.asLong();
      try {
        elements = Math.multiplyExact(elements, shape[i]);
      } catch (ArithmeticException e) {
        throw new BadRequestException(where + ": shape " + shapeNode + " is too large");
      }
    }
    if (!offsetsNode.isArray()
        || offsetsNode.size() != 2
        || !offsetsNode.get(0).isIntegralNumber()
        || !offsetsNode.get(1).isIntegralNumber()) {
      throw new BadRequestException(
          where + ": expected data_offsets as [begin, end], found " + offsetsNode);
    }
    long begin = offsetsNode.get(0).asLong();
    long end = offsetsNode.get(1).asLong();
    if (begin < 0 || end < begin || end > dataSize) {
      throw new BadRequestException(
          where
              + ": expected data_offsets within the "
              + dataSize
              + " data bytes of the file, found ["
              + begin
              + ", "
              + end
              + "] (truncated or corrupt file)");
    }
    long expectedBytes;
    try {
      expectedBytes = Math.multiplyExact(elements, dtype.bytes());
    } catch (ArithmeticException e) {
      throw new BadRequestException(where + ": shape " + shapeNode + " is too large");
    }
    if (end - begin != expectedBytes) {
      throw new BadRequestException(
          where
              + ": expected "
              + expectedBytes
              + " bytes for "
              + dtype
              + " "
              + shapeNode
              + ", found data_offsets spanning "
              + (end - begin));
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  private static String fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names.toString();
  }

  private static BadRequestException notSafetensors(Path file, String found) {
    return new BadRequestException(
        file
            + ": expected a safetensors file (8-byte header length, then a JSON header), found "
            + found);
  }

  /** The file this reader opened. */
  public Path file() {
    return file;
  }

  /** Every tensor, in header order, by name. */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  /** The {@code __metadata__} strings (empty when the file has none). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** True when the file has a tensor of this name. */
  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /**
   * The header entry of a tensor.
   *
   * @throws BadRequestException when there is no such tensor
   */
  public TensorInfo info(String name) {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new BadRequestException(
          file + ": expected a tensor \"" + name + "\", found none among " + tensors.size());
    }
    return info;
  }

  /**
   * Reads a floating-point tensor as float32 (float16, bfloat16 and float64 converted).
   *
   * @throws BadRequestException when it is not a float tensor or too large for one array
   */
  public float[] readFloats(String name) {
    TensorInfo info = info(name);
    requireFloat(info);
    long elements = info.elements();
    if (elements > Integer.MAX_VALUE - 8) {
      throw new BadRequestException(
          file + ": tensor \"" + name + "\" has " + elements + " elements, too many for one array");
    }
    float[] out = new float[(int) elements];
    int done = 0;
    while (done < out.length) {
      int n = Math.min(COPY_CHUNK_ELEMENTS, out.length - done);
      ByteBuffer raw = readRaw(info, done, n);
      convert(info.dtype(), raw, out, done, n);
      done += n;
    }
    return out;
  }

  /**
   * Writes a floating-point tensor to {@code out} as little-endian float32, in chunks, so a tensor
   * of any size streams through a small buffer.
   *
   * @return the number of bytes written
   */
  public long copyAsFloat32(String name, WritableByteChannel out) throws IOException {
    TensorInfo info = info(name);
    requireFloat(info);
    long elements = info.elements();
    float[] chunk = new float[(int) Math.min(COPY_CHUNK_ELEMENTS, Math.max(1, elements))];
    ByteBuffer bytes =
        ByteBuffer.allocate(chunk.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long done = 0;
    while (done < elements) {
      int n = (int) Math.min(chunk.length, elements - done);
      ByteBuffer raw = readRaw(info, done, n);
      convert(info.dtype(), raw, chunk, 0, n);
      bytes.clear();
      bytes.asFloatBuffer().put(chunk, 0, n);
      bytes.limit(n * Float.BYTES);
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      done += n;
    }
    return elements * Float.BYTES;
  }

  private void requireFloat(TensorInfo info) {
    if (!info.dtype().isFloat()) {
      throw new BadRequestException(
          file
              + ": tensor \""
              + info.name()
              + "\": expected a float type (F64, F32, F16, BF16), found "
              + info.dtype());
    }
  }

  private ByteBuffer readRaw(TensorInfo info, long firstElement, int count) {
    int size = info.dtype().bytes();
    ByteBuffer raw = ByteBuffer.allocate(count * size).order(ByteOrder.LITTLE_ENDIAN);
    try {
      readFully(channel, raw, dataStart + info.begin() + firstElement * size);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": reading tensor \"" + info.name() + "\" failed", e);
    }
    return raw.flip();
  }

  private static void convert(DType dtype, ByteBuffer raw, float[] out, int offset, int count) {
    switch (dtype) {
      case F32 -> raw.asFloatBuffer().get(out, offset, count);
      case F64 -> {
        for (int i = 0; i < count; i++) {
          out[offset + i] = (float) raw.getDouble(i * 8);
        }
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          out[offset + i] = Fp16Conversions.fp16ToFloat(raw.getShort(i * 2));
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          out[offset + i] = Fp16Conversions.bf16ToFloat(raw.getShort(i * 2));
        }
      }
      default -> throw new IllegalStateException("not a float type: " + dtype);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + at);
      }
      at += n;
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing to do: the open failed anyway
    }
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "SafeTensors[%s, %d tensors]", file, tensors.size());
  }
}
