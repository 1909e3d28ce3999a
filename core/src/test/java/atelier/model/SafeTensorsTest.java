package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  // Values exact in float16 and bfloat16, so every dtype reads back the same floats.
  private static final float[] VALUES = {1.5f, -2f, 0.25f, 0f, 3f, -0.5f};

  private Path sample() throws Exception {
    Path file = dir.resolve("sample.safetensors");
    new SafeTensorsWriter()
        .metadata("format", "pt")
        .add("a.weight", SafeTensors.DType.F32, new long[] {2, 3}, VALUES)
        .add("b.weight", SafeTensors.DType.F16, new long[] {6}, VALUES)
        .add("c.weight", SafeTensors.DType.BF16, new long[] {3, 2}, VALUES)
        .write(file);
    return file;
  }

  private static byte[] file(String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return b.array();
  }

  @Test
  void readsEveryFloatTypeAsFloat32() throws Exception {
    try (SafeTensors st = SafeTensors.open(sample())) {
      assertThat(st.tensors().keySet()).containsExactly("a.weight", "b.weight", "c.weight");
      assertThat(st.metadata()).containsEntry("format", "pt");
      assertThat(st.info("a.weight").shape()).containsExactly(2, 3);
      assertThat(st.info("b.weight").dtype()).isEqualTo(SafeTensors.DType.F16);
      for (String name : st.tensors().keySet()) {
        assertThat(st.readFloats(name)).as(name).containsExactly(VALUES);
      }
    }
  }

  @Test
  void readsFloat64() throws Exception {
    ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    data.putDouble(0.125).putDouble(-7);
    byte[] head = file("{\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 0);
    Path f = dir.resolve("f64.safetensors");
    Files.write(f, concat(head, data.array()));
    try (SafeTensors st = SafeTensors.open(f)) {
      assertThat(st.readFloats("x")).containsExactly(0.125f, -7f);
    }
  }

  @Test
  void streamsAsLittleEndianFloat32() throws Exception {
    try (SafeTensors st = SafeTensors.open(sample())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long n = st.copyAsFloat32("b.weight", Channels.newChannel(out));
      assertThat(n).isEqualTo(24);
      float[] back = new float[6];
      ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(back);
      assertThat(back).containsExactly(VALUES);
    }
  }

  @Test
  void refusesTruncatedFile() throws Exception {
    byte[] whole = Files.readAllBytes(sample());
    Path cut = dir.resolve("cut.safetensors");
    Files.write(cut, Arrays.copyOf(whole, whole.length - 5));
    assertThatThrownBy(() -> SafeTensors.open(cut))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("c.weight")
        .hasMessageContaining("truncated or corrupt");
  }

  @Test
  void refusesHeaderThatLiesAboutSizes() throws Exception {
    Path f = dir.resolve("lie.safetensors");
    Files.write(f, file("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}", 16));
    assertThatThrownBy(() -> SafeTensors.open(f))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected 16 bytes")
        .hasMessageContaining("spanning 8");
  }

  @Test
  void refusesHugeOrNegativeHeaderLength() throws Exception {
    Path f = dir.resolve("huge.safetensors");
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(-1L).putLong(0);
    Files.write(f, b.array());
    assertThatThrownBy(() -> SafeTensors.open(f))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected a safetensors file")
        .hasMessageContaining("header length of 18446744073709551615");
  }

  @Test
  void refusesUnknownDtypeNamingTheTensor() throws Exception {
    Path f = dir.resolve("dtype.safetensors");
    Files.write(f, file("{\"x\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1));
    assertThatThrownBy(() -> SafeTensors.open(f))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("tensor \"x\"")
        .hasMessageContaining("found \"F8_E4M3\"");
  }

  @Test
  void refusesOtherFiles() throws Exception {
    Path png = dir.resolve("image.png");
    Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13});
    assertThatThrownBy(() -> SafeTensors.open(png))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected a safetensors file");
    Path text = dir.resolve("x.safetensors");
    Files.write(text, file("[1,2,3]", 0));
    assertThatThrownBy(() -> SafeTensors.open(text))
        .hasMessageContaining("does not start with '{'");
    assertThatThrownBy(() -> SafeTensors.open(dir.resolve("missing.safetensors")))
        .hasMessageContaining("no such file");
    assertThatThrownBy(() -> SafeTensors.open(dir)).hasMessageContaining("found a folder");
  }

  @Test
  void refusesIntegerTensorAsFloats() throws Exception {
    Path f = dir.resolve("int.safetensors");
    Files.write(f, file("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8));
    try (SafeTensors st = SafeTensors.open(f)) {
      assertThat(st.info("ids").elements()).isEqualTo(1);
      assertThatThrownBy(() -> st.readFloats("ids")).hasMessageContaining("found I64");
      assertThatThrownBy(() -> st.info("nope")).hasMessageContaining("\"nope\"");
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
