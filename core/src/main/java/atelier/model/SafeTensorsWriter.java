package atelier.model;

import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small safetensors files from float arrays, in F32, F16 or BF16: the counterpart of {@link
 * SafeTensors} for merged LoRA weights, test fixtures and tools. Everything is held in memory until
 * {@link #write}, which goes through {@link atelier.AtomicFiles}, so it is meant for files of
 * megabytes, not checkpoints.
 */
public final class SafeTensorsWriter {
  private record Entry(SafeTensors.DType dtype, long[] shape, float[] values) {}

  private final Map<String, Entry> tensors = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  /**
   * Adds a tensor; {@code dtype} must be F32, F16 or BF16 and {@code values} must hold exactly the
   * shape's element count.
   */
  public SafeTensorsWriter add(String name, SafeTensors.DType dtype, long[] shape, float[] values) {
    long elements = 1;
    for (long d : shape) {
      elements *= d;
    }
    if (elements != values.length) {
      throw new IllegalArgumentException(
          name + ": expected " + elements + " values for the shape, found " + values.length);
    }
    if (dtype != SafeTensors.DType.F32
        && dtype != SafeTensors.DType.F16
        && dtype != SafeTensors.DType.BF16) {
      throw new IllegalArgumentException(name + ": expected F32, F16 or BF16, found " + dtype);
    }
    tensors.put(name, new Entry(dtype, shape.clone(), values.clone()));
    return this;
  }

  /** Adds a {@code __metadata__} string. */
  public SafeTensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** The whole file as bytes. */
  public byte[] toBytes() {
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    List<ByteBuffer> data = new ArrayList<>();
    for (Map.Entry<String, Entry> e : tensors.entrySet()) {
      Entry t = e.getValue();
      ByteBuffer bytes =
          ByteBuffer.allocate(t.values().length * t.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : t.values()) {
        switch (t.dtype()) {
          case F32 -> bytes.putFloat(v);
          case F16 -> bytes.putShort(Fp16Conversions.floatToFp16(v));
          default -> bytes.putShort(Fp16Conversions.floatToBf16(v));
        }
      }
      ObjectNode node = header.putObject(e.getKey());
      node.put("dtype", t.dtype().name());
      ArrayNode shape = node.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      ArrayNode offsets = node.putArray("data_offsets");
      offsets.add(offset);
      offsets.add(offset + bytes.capacity());
      offset += bytes.capacity();
      data.add(bytes.flip());
    }
    byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out =
        ByteBuffer.allocate((int) (8 + headerBytes.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(headerBytes.length).put(headerBytes);
    data.forEach(out::put);
    return out.array();
  }

  /** Writes the file atomically (a temporary name in the same folder, then a move). */
  public void write(Path file) throws IOException {
    atelier.AtomicFiles.write(file, toBytes());
  }
}
