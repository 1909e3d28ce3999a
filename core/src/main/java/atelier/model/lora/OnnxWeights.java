package atelier.model.lora;

import atelier.ModelLoadException;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes of an ONNX graph and where each initializer's bytes are, read without loading the
 * weights: {@code raw_data} is located by its offset in the model file, external data by its file,
 * offset and length, so a 3.4 GB UNet is indexed in a few megabytes.
 *
 * <p>Works on the protobuf wire format with field numbers from {@code onnx.proto} (ModelProto.graph
 * = 7; GraphProto.node = 1, initializer = 5; NodeProto.input = 1, name = 3, op_type = 4, attribute
 * = 5; AttributeProto.name = 1, i = 3; TensorProto.dims = 1, data_type = 2, float_data = 4, name =
 * 8, raw_data = 9, external_data = 13, data_location = 14). Immutable once read; thread-safe.
 */
public final class OnnxWeights {
  /** ONNX's TensorProto.DataType values used here. */
  public static final int FLOAT = 1;

  public static final int FLOAT16 = 10;

  /** One node: its name, operator, inputs and integer attributes. */
  public record Node(String name, String opType, List<String> inputs, Map<String, Long> ints) {}

  /**
   * Where one initializer's bytes are.
   *
   * @param file the model file (raw_data) or the external data file
   * @param offset byte offset in {@code file}, -1 when the values were inline float_data
   * @param inline the values when stored as float_data, else null
   */
  public record Initializer(
      String name, int dataType, long[] dims, Path file, long offset, long length, float[] inline) {

    /** The number of elements. */
    public long elements() {
      long n = 1;
      for (long d : dims) {
        n *= d;
      }
      return n;
    }
  }

  private final Path file;
  private final List<Node> nodes;
  private final Map<String, Initializer> initializers;

  private OnnxWeights(Path file, List<Node> nodes, Map<String, Initializer> initializers) {
    this.file = file;
    this.nodes = List.copyOf(nodes);
    this.initializers = Map.copyOf(initializers);
  }

  /**
   * Indexes {@code file}.
   *
   * @throws ModelLoadException when it cannot be read or is not an ONNX model
   */
  public static OnnxWeights read(Path file) {
    List<Node> nodes = new ArrayList<>();
    Map<String, Initializer> inits = new LinkedHashMap<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      CodedInputStream c = CodedInputStream.newInstance(in, 1 << 16);
      c.setSizeLimit(Integer.MAX_VALUE);
      while (true) {
        int tag = c.readTag();
        if (tag == 0) {
          break;
        }
        if (WireFormat.getTagFieldNumber(tag) == 7
            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          int limit = c.pushLimit(c.readRawVarint32());
          readGraph(c, file, nodes, inits);
          c.popLimit(limit);
        } else {
          c.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw new ModelLoadException(
          "LoRA: cannot read the ONNX graph " + file + " (" + e.getMessage() + ")", e);
    }
    return new OnnxWeights(file, nodes, inits);
  }

  private static void readGraph(
      CodedInputStream c, Path file, List<Node> nodes, Map<String, Initializer> inits)
      throws IOException {
    while (!c.isAtEnd()) {
      int tag = c.readTag();
      int field = WireFormat.getTagFieldNumber(tag);
      if ((field == 1 || field == 5)
          && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        int limit = c.pushLimit(c.readRawVarint32());
        if (field == 1) {
          nodes.add(readNode(c));
        } else {
          Initializer i = readTensor(c, file);
          inits.put(i.name(), i);
        }
        c.popLimit(limit);
      } else {
        c.skipField(tag);
      }
    }
  }

  private static Node readNode(CodedInputStream c) throws IOException {
    String name = "";
    String op = "";
    List<String> inputs = new ArrayList<>();
    Map<String, Long> ints = new HashMap<>();
    while (!c.isAtEnd()) {
      int tag = c.readTag();
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> inputs.add(c.readStringRequireUtf8());
        case 3 -> name = c.readStringRequireUtf8();
        case 4 -> op = c.readStringRequireUtf8();
        case 5 -> {
          int limit = c.pushLimit(c.readRawVarint32());
          String attr = null;
          Long value = null;
          while (!c.isAtEnd()) {
            int t = c.readTag();
            int f = WireFormat.getTagFieldNumber(t);
            if (f == 1) {
              attr = c.readStringRequireUtf8();
            } else if (f == 3 && WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_VARINT) {
              value = c.readInt64();
            } else {
              c.skipField(t);
            }
          }
          c.popLimit(limit);
          if (attr != null && value != null) {
            ints.put(attr, value);
          }
        }
        default -> c.skipField(tag);
      }
    }
    return new Node(name, op, inputs, ints);
  }

  private static Initializer readTensor(CodedInputStream c, Path file) throws IOException {
    List<Long> dims = new ArrayList<>();
    int dataType = 0;
    String name = "";
    long offset = -1;
    long length = 0;
    List<Float> floats = new ArrayList<>();
    Map<String, String> external = new HashMap<>();
    int location = 0;
    while (!c.isAtEnd()) {
      int tag = c.readTag();
      int field = WireFormat.getTagFieldNumber(tag);
      boolean packed = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
      switch (field) {
        case 1 -> {
          if (packed) {
            int limit = c.pushLimit(c.readRawVarint32());
            while (!c.isAtEnd()) {
              dims.add(c.readInt64());
            }
            c.popLimit(limit);
          } else {
            dims.add(c.readInt64());
          }
        }
        case 2 -> dataType = c.readInt32();
        case 4 -> {
          if (packed) {
            int limit = c.pushLimit(c.readRawVarint32());
            while (!c.isAtEnd()) {
              floats.add(c.readFloat());
            }
            c.popLimit(limit);
          } else {
            floats.add(c.readFloat());
          }
        }
        case 8 -> name = c.readStringRequireUtf8();
        case 9 -> {
          length = c.readRawVarint32() & 0xffffffffL;
          offset = c.getTotalBytesRead();
          c.skipRawBytes((int) length);
        }
        case 13 -> {
          int limit = c.pushLimit(c.readRawVarint32());
          String key = null;
          String value = null;
          while (!c.isAtEnd()) {
            int t = c.readTag();
            int f = WireFormat.getTagFieldNumber(t);
            if (f == 1) {
              key = new String(c.readByteArray(), StandardCharsets.UTF_8);
            } else if (f == 2) {
              value = new String(c.readByteArray(), StandardCharsets.UTF_8);
            } else {
              c.skipField(t);
            }
          }
          c.popLimit(limit);
          if (key != null && value != null) {
            external.put(key, value);
          }
        }
        case 14 -> location = c.readEnum();
        default -> c.skipField(tag);
      }
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    if (location == 1) {
      Path folder = file.toAbsolutePath().getParent();
      Path data = folder.resolve(external.getOrDefault("location", ""));
      long off = Long.parseLong(external.getOrDefault("offset", "0"));
      long len = external.containsKey("length") ? Long.parseLong(external.get("length")) : -1;
      return new Initializer(name, dataType, shape, data, off, len, null);
    }
    if (offset >= 0) {
      return new Initializer(name, dataType, shape, file, offset, length, null);
    }
    float[] inline = new float[floats.size()];
    for (int i = 0; i < inline.length; i++) {
      inline[i] = floats.get(i);
    }
    return new Initializer(name, dataType, shape, file, -1, 4L * inline.length, inline);
  }

  /** The graph file. */
  public Path file() {
    return file;
  }

  /** The nodes in graph order. */
  public List<Node> nodes() {
    return nodes;
  }

  /** The initializers by name. */
  public Map<String, Initializer> initializers() {
    return initializers;
  }

  /**
   * Reads a float32 initializer's values.
   *
   * @throws ModelLoadException when it is not float32 or its bytes are not where the graph says
   */
  public float[] readFloats(Initializer init) {
    if (init.dataType() != FLOAT) {
      throw new ModelLoadException(
          "LoRA: "
              + file
              + ": initializer "
              + init.name()
              + " expected float32, found ONNX data type "
              + init.dataType()
              + (init.dataType() == FLOAT16
                  ? " (LoRA on float16 graphs is not supported yet; use a float32 export)"
                  : ""));
    }
    if (init.inline() != null) {
      return init.inline().clone();
    }
    long elements = init.elements();
    long bytes = elements * 4;
    if (bytes > Integer.MAX_VALUE - 8 || (init.length() >= 0 && init.length() != bytes)) {
      throw new ModelLoadException(
          "LoRA: "
              + file
              + ": initializer "
              + init.name()
              + " expected "
              + bytes
              + " bytes for its shape, found "
              + init.length());
    }
    try (FileChannel ch = FileChannel.open(init.file(), StandardOpenOption.READ)) {
      if (init.offset() + bytes > ch.size()) {
        throw new ModelLoadException(
            "LoRA: "
                + init.file()
                + ": initializer "
                + init.name()
                + " expected bytes "
                + init.offset()
                + " to "
                + (init.offset() + bytes)
                + ", found a file of "
                + ch.size()
                + " bytes");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
      long pos = init.offset();
      while (buf.hasRemaining()) {
        int n = ch.read(buf, pos);
        if (n < 0) {
          throw new IOException("unexpected end of file");
        }
        pos += n;
      }
      buf.flip();
      float[] out = new float[(int) elements];
      buf.asFloatBuffer().get(out);
      return out;
    } catch (IOException e) {
      throw new ModelLoadException(
          "LoRA: cannot read initializer "
              + init.name()
              + " from "
              + init.file()
              + " ("
              + e.getMessage()
              + ")",
          e);
    }
  }
}
