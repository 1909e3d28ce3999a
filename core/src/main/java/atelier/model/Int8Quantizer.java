package atelier.model;

import static atelier.model.OnnxProto.parse;
import static atelier.model.OnnxProto.string;
import static atelier.model.OnnxProto.strings;
import static atelier.model.OnnxProto.utf8;

import atelier.CancelToken;
import atelier.model.lora.OnnxWeights;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.UnknownFieldSet.Field;
import com.google.protobuf.WireFormat;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a float32 ONNX graph so that every {@code MatMul} whose second input is a 2-D float
 * initializer becomes ONNX Runtime's {@code com.microsoft.DynamicQuantizeMatMul}: the weight is
 * stored as int8, symmetric per output column (scale {@code max|w| / 127}, zero point 0), and the
 * activations are quantised to uint8 at run time — what ONNX Runtime's own {@code quantize_dynamic}
 * emits for MatMul. Convolutions, {@code Gemm} and weights used by other nodes are left in float32.
 *
 * <p>The source graph is read as a stream (protobuf wire format, field numbers of {@code
 * onnx.proto}: ModelProto.graph = 7, opset_import = 8; GraphProto.node = 1, initializer = 5, input
 * = 11; NodeProto.input = 1, op_type = 4, domain = 7; TensorProto.dims = 1, data_type = 2,
 * float_data = 4, name = 8, raw_data = 9, external_data = 13, data_location = 14). Each weight is
 * read alone, so a UNet with 3.4 GB of external data is never in memory: every initializer of 1 KiB
 * or more (quantised or not) goes to one new external-data file beside the new graph, which itself
 * stays small. The source files are only read. Stateless.
 */
public final class Int8Quantizer {
  /** The operator written in place of each quantised MatMul. */
  public static final String OP = "DynamicQuantizeMatMul";

  /** The operator domain of {@link #OP}. */
  public static final String DOMAIN = "com.microsoft";

  private static final int MODEL_GRAPH = 7;
  private static final int MODEL_OPSET_IMPORT = 8;
  private static final int GRAPH_NODE = 1;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int NODE_INPUT = 1;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_DOMAIN = 7;
  private static final int T_DIMS = 1;
  private static final int T_DATA_TYPE = 2;
  private static final int T_FLOAT_DATA = 4;
  private static final int T_NAME = 8;
  private static final int T_RAW_DATA = 9;
  private static final int T_EXTERNAL_DATA = 13;
  private static final int T_DATA_LOCATION = 14;
  private static final int FLOAT = 1;
  private static final int INT8 = 3;
  private static final int EXTERNAL = 1;
  private static final long INLINE_LIMIT = 1024;

  /** Receives the bytes of source weights handled so far and their total. */
  @FunctionalInterface
  public interface Progress {
    void done(long bytes, long total);
  }

  /**
   * What a rewrite did.
   *
   * @param quantized MatMul nodes now {@code DynamicQuantizeMatMul}
   * @param matMulsKept MatMul nodes left in float32 (no 2-D float32 initializer as their weight)
   * @param weightBytesBefore bytes of the quantised weights as float32
   * @param weightBytesAfter bytes of their int8 values, scales and zero points
   * @param dataFile the new external-data file, relative to the graph's folder
   */
  public record Report(
      int quantized,
      int matMulsKept,
      long weightBytesBefore,
      long weightBytesAfter,
      String dataFile) {}

  /**
   * What a graph offers to quantise, read without loading its weights.
   *
   * @param eligible MatMul weights that would be quantised
   * @param matMuls all MatMul nodes
   * @param alreadyQuantized {@code DynamicQuantizeMatMul} (or other integer MatMul) nodes present
   * @param float16 whether the MatMul weights are float16 (an fp16 export)
   */
  public record Scan(int eligible, int matMuls, int alreadyQuantized, boolean float16) {}

  private Int8Quantizer() {}

  /** Counts what {@link #quantize} would do to {@code graph}. */
  public static Scan scan(Path graph) {
    OnnxWeights w = OnnxWeights.read(graph);
    int matMuls = 0;
    int quantized = 0;
    boolean half = false;
    for (OnnxWeights.Node n : w.nodes()) {
      switch (n.opType()) {
        case "MatMul" -> {
          matMuls++;
          OnnxWeights.Initializer b =
              n.inputs().size() == 2 ? w.initializers().get(n.inputs().get(1)) : null;
          half |= b != null && b.dataType() == OnnxWeights.FLOAT16;
        }
        case OP, "MatMulInteger", "MatMulIntegerToFloat", "MatMulNBits" -> quantized++;
        default -> {}
      }
    }
    return new Scan(eligible(w).size(), matMuls, quantized, half);
  }

  /** The weights every consumer of which is a MatMul taking it as its second input. */
  private static Set<String> eligible(OnnxWeights w) {
    Map<String, Integer> uses = new HashMap<>();
    Map<String, Integer> matMulUses = new HashMap<>();
    for (OnnxWeights.Node n : w.nodes()) {
      for (int i = 0; i < n.inputs().size(); i++) {
        String in = n.inputs().get(i);
        uses.merge(in, 1, Integer::sum);
        if (n.opType().equals("MatMul") && i == 1 && n.inputs().size() == 2) {
          matMulUses.merge(in, 1, Integer::sum);
        }
      }
    }
    Set<String> out = new HashSet<>();
    for (Map.Entry<String, Integer> e : matMulUses.entrySet()) {
      OnnxWeights.Initializer init = w.initializers().get(e.getKey());
      if (init != null
          && init.dataType() == FLOAT
          && init.dims().length == 2
          && init.dims()[0] > 0
          && init.dims()[1] > 0
          && e.getValue().equals(uses.get(e.getKey()))) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /**
   * Writes the quantised graph {@code target} and its external data {@code target + "_data"} beside
   * it. Neither may exist yet.
   *
   * @throws IOException when reading the source or writing fails (a full disk included); the caller
   *     removes what was written
   * @throws IllegalArgumentException when the source is not an ONNX model
   */
  public static Report quantize(Path source, Path target, Progress progress, CancelToken cancel)
      throws IOException {
    OnnxWeights weights = OnnxWeights.read(source);
    Set<String> chosen = eligible(weights);
    long total = 0;
    for (OnnxWeights.Initializer i : weights.initializers().values()) {
      total += Math.max(0, i.length());
    }
    Path folder = source.toAbsolutePath().getParent();
    String dataName = target.getFileName() + "_data";
    Path dataFile = target.resolveSibling(dataName);
    Rewrite r = new Rewrite(folder, chosen, dataName, progress, total, cancel);
    ByteArrayOutputStream model = new ByteArrayOutputStream();
    CodedOutputStream modelOut = CodedOutputStream.newInstance(model);
    boolean hasDomain = false;
    try (FileChannel data =
            FileChannel.open(dataFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        InputStream file = new BufferedInputStream(Files.newInputStream(source), 1 << 16)) {
      r.data = data;
      CodedInputStream in = CodedInputStream.newInstance(file, 1 << 16);
      in.setSizeLimit(Integer.MAX_VALUE);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        int field = WireFormat.getTagFieldNumber(tag);
        if (field == MODEL_GRAPH && lengthDelimited(tag)) {
          int limit = in.pushLimit(in.readRawVarint32());
          byte[] graph = r.graph(in);
          in.popLimit(limit);
          modelOut.writeByteArray(MODEL_GRAPH, graph);
        } else {
          UnknownFieldSet.Builder one = UnknownFieldSet.newBuilder();
          one.mergeFieldFrom(tag, in);
          UnknownFieldSet set = one.build();
          if (field == MODEL_OPSET_IMPORT) {
            for (ByteString b : set.getField(field).getLengthDelimitedList()) {
              hasDomain |= string(parse(b), 1).equals(DOMAIN);
            }
          }
          set.writeTo(modelOut);
        }
      }
      if (!hasDomain) {
        UnknownFieldSet opset =
            UnknownFieldSet.newBuilder()
                .addField(1, lengthDelimited(utf8(DOMAIN)))
                .addField(2, Field.newBuilder().addVarint(1).build())
                .build();
        modelOut.writeBytes(MODEL_OPSET_IMPORT, opset.toByteString());
      }
      modelOut.flush();
      data.force(false);
    }
    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
      model.writeTo(out);
    }
    if (r.quantized != chosen.size()) {
      throw new IllegalStateException(
          source + ": expected " + chosen.size() + " MatMul weights quantised, did " + r.quantized);
    }
    return new Report(r.quantized, r.matMuls - r.quantized, r.before, r.after, dataName);
  }

  /** One rewrite's state: the new external-data file and what was written into it. */
  private static final class Rewrite {
    private final Path folder;
    private final Set<String> chosen;
    private final String dataName;
    private final Progress progress;
    private final long total;
    private final CancelToken cancel;
    private FileChannel data;
    private long offset;
    private long read;
    private int quantized;
    private int matMuls;
    private long before;
    private long after;

    Rewrite(
        Path folder,
        Set<String> chosen,
        String dataName,
        Progress progress,
        long total,
        CancelToken cancel) {
      this.folder = folder;
      this.chosen = chosen;
      this.dataName = dataName;
      this.progress = progress;
      this.total = total;
      this.cancel = cancel;
    }

    /** Reads a GraphProto's fields up to the current limit; returns the rewritten GraphProto. */
    byte[] graph(CodedInputStream in) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        int field = WireFormat.getTagFieldNumber(tag);
        if (field == GRAPH_NODE && lengthDelimited(tag)) {
          out.writeBytes(GRAPH_NODE, node(parse(in.readBytes())));
        } else if (field == GRAPH_INITIALIZER && lengthDelimited(tag)) {
          cancel.check();
          for (ByteString t : initializer(parse(in.readBytes()))) {
            out.writeBytes(GRAPH_INITIALIZER, t);
          }
        } else if (field == GRAPH_INPUT && lengthDelimited(tag)) {
          ByteString value = in.readBytes();
          if (!chosen.contains(string(parse(value), 1))) {
            out.writeBytes(GRAPH_INPUT, value); // an initializer listed as input goes with it
          }
        } else {
          UnknownFieldSet.Builder one = UnknownFieldSet.newBuilder();
          one.mergeFieldFrom(tag, in);
          one.build().writeTo(out);
        }
      }
      out.flush();
      return bytes.toByteArray();
    }

    private ByteString node(UnknownFieldSet node) {
      if (!string(node, NODE_OP_TYPE).equals("MatMul")) {
        return node.toByteString();
      }
      matMuls++;
      List<String> in = strings(node, NODE_INPUT);
      if (in.size() != 2 || !chosen.contains(in.get(1))) {
        return node.toByteString();
      }
      String w = in.get(1);
      Field.Builder inputs = Field.newBuilder();
      for (String s : List.of(in.get(0), w + "_quantized", w + "_scale", w + "_zero_point")) {
        inputs.addLengthDelimited(utf8(s));
      }
      return UnknownFieldSet.newBuilder(node)
          .clearField(NODE_INPUT)
          .clearField(NODE_OP_TYPE)
          .clearField(NODE_DOMAIN)
          .addField(NODE_INPUT, inputs.build())
          .addField(NODE_OP_TYPE, lengthDelimited(utf8(OP)))
          .addField(NODE_DOMAIN, lengthDelimited(utf8(DOMAIN)))
          .build()
          .toByteString();
    }

    /** The initializer(s) replacing one source initializer. */
    private List<ByteString> initializer(UnknownFieldSet t) throws IOException {
      String name = string(t, T_NAME);
      long[] dims = longs(t, T_DIMS);
      int type = (int) first(t, T_DATA_TYPE);
      boolean external = first(t, T_DATA_LOCATION) == EXTERNAL;
      long length = external ? externalLength(t, name, type, dims) : inlineLength(t);
      if (chosen.contains(name)) {
        quantized++;
        float[] w = floats(t, name, external, dims);
        read += length;
        progress.done(read, total);
        return quantizeColumns(name, w, (int) dims[0], (int) dims[1]);
      }
      List<ByteString> out;
      if (external) {
        Map<String, String> ext = externalData(t);
        Path file = resolve(ext.get("location"), name);
        long off = Long.parseLong(ext.getOrDefault("offset", "0"));
        long at = append(file, off, length);
        out = List.of(externalTensor(t, at, length));
      } else if (t.hasField(T_RAW_DATA) && length >= INLINE_LIMIT) {
        long at = append(t.getField(T_RAW_DATA).getLengthDelimitedList().get(0));
        out = List.of(externalTensor(t, at, length));
      } else {
        out = List.of(t.toByteString());
      }
      read += length;
      progress.done(read, total);
      return out;
    }

    /** int8 weights, symmetric per output column, with their scales and zero points. */
    private List<ByteString> quantizeColumns(String name, float[] w, int rows, int cols)
        throws IOException {
      float[] scale = new float[cols];
      for (int k = 0; k < rows; k++) {
        for (int n = 0; n < cols; n++) {
          scale[n] = Math.max(scale[n], Math.abs(w[k * cols + n]));
        }
      }
      for (int n = 0; n < cols; n++) {
        if (!Float.isFinite(scale[n])) {
          throw new IllegalArgumentException(
              "weight " + name + ": expected finite values, found " + scale[n]);
        }
        scale[n] = scale[n] == 0f ? 1f : scale[n] / 127f;
      }
      byte[] q = new byte[w.length];
      for (int k = 0; k < rows; k++) {
        for (int n = 0; n < cols; n++) {
          float v = (float) Math.rint(w[k * cols + n] / scale[n]);
          q[k * cols + n] = (byte) Math.max(-127, Math.min(127, v));
        }
      }
      long at = append(ByteString.copyFrom(q));
      ByteBuffer s = ByteBuffer.allocate(cols * 4).order(ByteOrder.LITTLE_ENDIAN);
      s.asFloatBuffer().put(scale);
      before += 4L * w.length;
      after += q.length + 5L * cols;
      return List.of(
          tensor(name + "_quantized", INT8, new long[] {rows, cols})
              .addField(T_EXTERNAL_DATA, externalEntries(at, q.length))
              .addField(T_DATA_LOCATION, Field.newBuilder().addVarint(EXTERNAL).build())
              .build()
              .toByteString(),
          tensor(name + "_scale", FLOAT, new long[] {cols})
              .addField(T_RAW_DATA, lengthDelimited(ByteString.copyFrom(s.array())))
              .build()
              .toByteString(),
          tensor(name + "_zero_point", INT8, new long[] {cols})
              .addField(T_RAW_DATA, lengthDelimited(ByteString.copyFrom(new byte[cols])))
              .build()
              .toByteString());
    }

    private float[] floats(UnknownFieldSet t, String name, boolean external, long[] dims)
        throws IOException {
      long n = dims[0] * dims[1];
      if (n > Integer.MAX_VALUE / 4) {
        throw new IllegalArgumentException(
            "weight " + name + ": too large to quantise (" + n + ")");
      }
      float[] out = new float[(int) n];
      if (external) {
        Map<String, String> ext = externalData(t);
        Path file = resolve(ext.get("location"), name);
        long off = Long.parseLong(ext.getOrDefault("offset", "0"));
        ByteBuffer buf = ByteBuffer.allocate((int) n * 4).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
          long pos = off;
          while (buf.hasRemaining()) {
            int k = ch.read(buf, pos);
            if (k < 0) {
              throw new IOException(
                  "weight " + name + ": " + file + " ends before byte " + (off + 4 * n));
            }
            pos += k;
          }
        }
        buf.flip().asFloatBuffer().get(out);
      } else if (t.hasField(T_RAW_DATA)) {
        ByteString raw = t.getField(T_RAW_DATA).getLengthDelimitedList().get(0);
        if (raw.size() != 4 * n) {
          throw new IOException(
              "weight " + name + ": expected " + 4 * n + " bytes, found " + raw.size());
        }
        raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      } else {
        List<Float> values = floatData(t);
        if (values.size() != n) {
          throw new IOException(
              "weight " + name + ": expected " + n + " float_data values, found " + values.size());
        }
        for (int i = 0; i < out.length; i++) {
          out[i] = values.get(i);
        }
      }
      return out;
    }

    /** Appends {@code length} bytes of {@code file} from {@code off}; returns where they went. */
    private long append(Path file, long off, long length) throws IOException {
      long at = align();
      try (FileChannel src = FileChannel.open(file, StandardOpenOption.READ)) {
        if (off + length > src.size()) {
          throw new IOException(
              file + ": expected at least " + (off + length) + " bytes, found " + src.size());
        }
        long done = 0;
        while (done < length) {
          long k = src.transferTo(off + done, length - done, data.position(at + done));
          if (k <= 0) {
            throw new IOException("copying from " + file + " stopped at byte " + (off + done));
          }
          done += k;
        }
      }
      offset = at + length;
      return at;
    }

    private long append(ByteString bytes) throws IOException {
      long at = align();
      ByteBuffer b = bytes.asReadOnlyByteBuffer();
      long pos = at;
      while (b.hasRemaining()) {
        pos += data.write(b, pos);
      }
      offset = pos;
      return at;
    }

    /** Pads the data file to a multiple of 64 bytes (as ONNX's own external-data writer may). */
    private long align() throws IOException {
      long at = (offset + 63) / 64 * 64;
      if (at > offset) {
        data.write(ByteBuffer.allocate((int) (at - offset)), offset);
      }
      offset = at;
      return at;
    }

    private ByteString externalTensor(UnknownFieldSet t, long at, long length) {
      return UnknownFieldSet.newBuilder(t)
          .clearField(T_RAW_DATA)
          .clearField(T_EXTERNAL_DATA)
          .clearField(T_DATA_LOCATION)
          .addField(T_EXTERNAL_DATA, externalEntries(at, length))
          .addField(T_DATA_LOCATION, Field.newBuilder().addVarint(EXTERNAL).build())
          .build()
          .toByteString();
    }

    private Field externalEntries(long at, long length) {
      Field.Builder f = Field.newBuilder();
      for (String[] kv :
          new String[][] {
            {"location", dataName}, {"offset", Long.toString(at)}, {"length", Long.toString(length)}
          }) {
        f.addLengthDelimited(
            UnknownFieldSet.newBuilder()
                .addField(1, lengthDelimited(utf8(kv[0])))
                .addField(2, lengthDelimited(utf8(kv[1])))
                .build()
                .toByteString());
      }
      return f.build();
    }

    private Path resolve(String location, String name) throws IOException {
      if (location == null || location.isEmpty()) {
        throw new IOException("weight " + name + ": external data without a location");
      }
      Path p = folder.resolve(location).normalize();
      if (!p.startsWith(folder)) {
        throw new IOException(
            "weight " + name + ": external data " + location + " is outside " + folder);
      }
      return p;
    }
  }

  private static UnknownFieldSet.Builder tensor(String name, int type, long[] dims) {
    Field.Builder d = Field.newBuilder();
    for (long x : dims) {
      d.addVarint(x);
    }
    return UnknownFieldSet.newBuilder()
        .addField(T_DIMS, d.build())
        .addField(T_DATA_TYPE, Field.newBuilder().addVarint(type).build())
        .addField(T_NAME, lengthDelimited(utf8(name)));
  }

  private static long externalLength(UnknownFieldSet t, String name, int type, long[] dims)
      throws IOException {
    Map<String, String> ext = externalData(t);
    if (ext.containsKey("length")) {
      return Long.parseLong(ext.get("length"));
    }
    int size = elementSize(type);
    if (size == 0) {
      throw new IOException(
          "initializer " + name + ": external data without a length, of ONNX type " + type);
    }
    long n = size;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }

  private static long inlineLength(UnknownFieldSet t) {
    if (t.hasField(T_RAW_DATA)) {
      return t.getField(T_RAW_DATA).getLengthDelimitedList().get(0).size();
    }
    return 4L * floatData(t).size();
  }

  private static int elementSize(int type) {
    return switch (type) {
      case 2, 3, 9 -> 1; // uint8, int8, bool
      case 4, 5, 10, 16 -> 2; // uint16, int16, float16, bfloat16
      case 1, 6, 12 -> 4; // float, int32, uint32
      case 7, 11, 13 -> 8; // int64, double, uint64
      default -> 0;
    };
  }

  private static Map<String, String> externalData(UnknownFieldSet t) {
    Map<String, String> out = new HashMap<>();
    if (t.hasField(T_EXTERNAL_DATA)) {
      for (ByteString b : t.getField(T_EXTERNAL_DATA).getLengthDelimitedList()) {
        UnknownFieldSet e = parse(b);
        out.put(string(e, 1), string(e, 2));
      }
    }
    return out;
  }

  private static List<Float> floatData(UnknownFieldSet t) {
    List<Float> out = new ArrayList<>();
    if (!t.hasField(T_FLOAT_DATA)) {
      return out;
    }
    Field f = t.getField(T_FLOAT_DATA);
    for (int bits : f.getFixed32List()) {
      out.add(Float.intBitsToFloat(bits));
    }
    for (ByteString packed : f.getLengthDelimitedList()) {
      ByteBuffer b = packed.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      while (b.remaining() >= 4) {
        out.add(b.getFloat());
      }
    }
    return out;
  }

  private static long[] longs(UnknownFieldSet set, int number) {
    if (!set.hasField(number)) {
      return new long[0];
    }
    Field f = set.getField(number);
    List<Long> out = new ArrayList<>(f.getVarintList());
    for (ByteString packed : f.getLengthDelimitedList()) {
      try {
        CodedInputStream in = packed.newCodedInput();
        while (!in.isAtEnd()) {
          out.add(in.readInt64());
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("malformed ONNX tensor dims: " + e.getMessage(), e);
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private static long first(UnknownFieldSet set, int number) {
    if (!set.hasField(number) || set.getField(number).getVarintList().isEmpty()) {
      return 0;
    }
    return set.getField(number).getVarintList().get(0);
  }

  private static boolean lengthDelimited(int tag) {
    return WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }

  private static Field lengthDelimited(ByteString value) {
    return Field.newBuilder().addLengthDelimited(value).build();
  }
}
