package atelier.model;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading and writing ONNX protobuf fields by number, without generated classes: what the graph
 * rewriters ({@link ClipSkipRewriter}, {@link NoiseInputRewriter}, {@link Int8Quantizer}) share.
 */
final class OnnxProto {
  private OnnxProto() {}

  /** The length-delimited values of field {@code number} as UTF-8 strings (empty when absent). */
  static List<String> strings(UnknownFieldSet set, int number) {
    if (!set.hasField(number)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (ByteString b : set.getField(number).getLengthDelimitedList()) {
      out.add(b.toString(StandardCharsets.UTF_8));
    }
    return out;
  }

  /** The first string of field {@code number}, or "" when absent. */
  static String string(UnknownFieldSet set, int number) {
    List<String> l = strings(set, number);
    return l.isEmpty() ? "" : l.get(0);
  }

  static ByteString utf8(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  /**
   * Parses a message.
   *
   * @throws IllegalArgumentException when the bytes are not a protobuf message
   */
  static UnknownFieldSet parse(ByteString bytes) {
    try {
      return UnknownFieldSet.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("malformed ONNX graph: " + e.getMessage(), e);
    }
  }
}
