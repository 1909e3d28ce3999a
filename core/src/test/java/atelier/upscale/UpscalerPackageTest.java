package atelier.upscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import atelier.ModelLoadException;
import atelier.model.SessionSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Importing UpscalerJS-style packages into the upscaler store, from a folder and from an npm
 * tarball. The package here is built from the tiny layers model, laid out as the real packages are
 * ({@code package.json}, {@code models/x<N>/}, the model definition with its architecture).
 */
class UpscalerPackageTest {
  private static final String DEFINITION =
      "const getModelDefinition = (scale) => ({ meta: { C: 1, architecture: \"rdn\" } });";

  @Test
  void importsAPackageFolderAndTheStoreFindsIt(@TempDir Path dir) throws Exception {
    Path pkg = dir.resolve("pkg/package");
    for (Map.Entry<String, byte[]> e : packageFiles().entrySet()) {
      Path p = pkg.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
    }
    UpscalerStore store = new UpscalerStore(dir.resolve("store"));
    List<UpscalerPackage.Imported> imported = store.importPackage(dir.resolve("pkg"));

    assertThat(imported).hasSize(1);
    UpscalerInfo info = imported.get(0).info();
    assertThat(info.id()).isEqualTo("esrgan-tiny-x4");
    assertThat(info.name()).isEqualTo("@example/esrgan-tiny");
    assertThat(info.architecture()).isEqualTo("rdn");
    assertThat(info.inputRange()).isEqualTo(255f);
    assertThat(info.license()).isEqualTo("MIT");
    assertThat(store.ids()).containsExactly("esrgan-tiny-x4");
    assertThat(store.resolve("esrgan-tiny", 4)).isEqualTo(store.folder().resolve("esrgan-tiny-x4"));
    assertThat(store.resolve(null, 4)).isEqualTo(store.folder().resolve("esrgan-tiny-x4"));
    assertThat(store.resolve(null, 2)).isEqualTo(store.folder().resolve("esrgan-tiny-x4"));
    assertThat(UpscalerStore.of(atelier.AtelierHome.at(dir)).folder())
        .isEqualTo(dir.resolve("models"));

    try (Upscaler up = Upscaler.open(store.resolve("esrgan-tiny-x4", 4), SessionSettings.CPU)) {
      assertThat(up.id()).isEqualTo("esrgan-tiny-x4");
      assertThat(up.scale()).isEqualTo(4);
      assertThat(up.info()).contains(info);
      float[] out = up.run(TestModels.floats("tiny-layers/input.f32"), 12, 10);
      assertThat(
              TestModels.maxAbsDifference(
                  out, TestModels.floats("tiny-layers/expected-range255.f32")))
          .isLessThan(2e-5f);
    }
    // A plain ONNX upscaler the model store imported (its manifest says so) is found too; other
    // store folders are not upscalers.
    Path plain = store.folder().resolve("realesrgan-x2");
    Files.createDirectories(plain);
    Files.copy(TestModels.file("tiny-x2-even.onnx"), plain.resolve("model.onnx"));
    Files.writeString(plain.resolve(".atelier-manifest.json"), "{\"kind\": \"upscaler\"}");
    Path clip = store.folder().resolve("clip-vit");
    Files.createDirectories(clip);
    Files.writeString(clip.resolve("model.onnx"), "x");
    Files.writeString(clip.resolve(".atelier-manifest.json"), "{\"kind\": \"clip\"}");
    assertThat(store.ids()).containsExactly("esrgan-tiny-x4", "realesrgan-x2");
    assertThat(store.resolve(null, 2)).isEqualTo(plain);

    assertThatThrownBy(() -> store.resolve("esrgan-huge", 4))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("found 'esrgan-huge'")
        .hasMessageContaining("esrgan-tiny-x4, realesrgan-x2");
  }

  @Test
  void importsAnNpmTarballAndReplacesAnEarlierImport(@TempDir Path dir) throws Exception {
    Path tgz = dir.resolve("esrgan-tiny-1.0.0.tgz");
    writeTgz(tgz, packageFiles());
    UpscalerStore store = new UpscalerStore(dir.resolve("store"));
    store.importPackage(tgz);
    Path model = store.folder().resolve("esrgan-tiny-x4/model.onnx");
    Files.writeString(model, "stale");
    store.importPackage(tgz);
    assertThat(Files.size(model)).isGreaterThan(1000);
    try (var s = Files.list(store.folder())) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("esrgan-tiny-x4");
    }
  }

  @Test
  void withoutADefinitionTheLayersDecideTheRange(@TempDir Path dir) throws Exception {
    Map<String, byte[]> files = packageFiles();
    files.remove("dist/getModelDefinition.js");
    Path tgz = dir.resolve("p.tgz");
    writeTgz(tgz, files);
    UpscalerPackage.Conversion c = UpscalerPackage.open(tgz).convert(4);
    // The tiny model uses UpscalerJS's custom layers, which only its RRDN models have.
    assertThat(c.info().inputRange()).isEqualTo(1f);
    assertThat(c.info().architecture()).isEqualTo("rrdn (inferred from the layers)");
  }

  @Test
  void emptyStoreAndNonPackagesAreClearErrors(@TempDir Path dir) throws Exception {
    UpscalerStore store = new UpscalerStore(dir.resolve("none"));
    assertThatThrownBy(() -> store.resolve(null, 4))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("found none")
        .hasMessageContaining("atelier models import");
    Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> UpscalerPackage.open(dir.resolve("empty")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("expected an npm package (package.json)");
    Files.writeString(dir.resolve("x.tgz"), "not gzip");
    assertThatThrownBy(() -> UpscalerPackage.open(dir.resolve("x.tgz")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("could not be read");
  }

  private static Map<String, byte[]> packageFiles() throws IOException {
    Map<String, byte[]> f = new LinkedHashMap<>();
    f.put(
        "package.json",
        "{\"name\": \"@example/esrgan-tiny\", \"version\": \"1.0.0\", \"license\": \"MIT\"}"
            .getBytes(StandardCharsets.UTF_8));
    f.put("dist/getModelDefinition.js", DEFINITION.getBytes(StandardCharsets.UTF_8));
    f.put("models/x4/model.json", Files.readAllBytes(TestModels.file("tiny-layers/model.json")));
    f.put(
        "models/x4/group1-shard1of1.bin",
        Files.readAllBytes(TestModels.file("tiny-layers/group1-shard1of1.bin")));
    return f;
  }

  /**
   * Writes files as npm does: ustar entries under {@code package/}, one with a PAX path record (as
   * node-tar writes for long names), gzip-compressed.
   */
  static void writeTgz(Path file, Map<String, byte[]> files) throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    boolean first = true;
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      String name = "package/" + e.getKey();
      if (first) {
        // A PAX record is "<length> path=<name>\n", the length counting its own digits.
        String record = " path=" + name + "\n";
        int total = record.length() + Integer.toString(record.length()).length();
        total = record.length() + Integer.toString(total).length();
        byte[] pax = (total + record).getBytes(StandardCharsets.UTF_8);
        entry(tar, "PaxHeader/x", 'x', pax);
        entry(tar, "ignored-short-name", '0', e.getValue());
        first = false;
      } else {
        entry(tar, name, '0', e.getValue());
      }
    }
    tar.write(new byte[1024]);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(tar.toByteArray());
    }
  }

  private static void entry(ByteArrayOutputStream tar, String name, char type, byte[] body)
      throws IOException {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(n, 0, h, 0, n.length);
    octal(h, 100, 8, 0644);
    octal(h, 124, 12, body.length);
    h[156] = (byte) type;
    System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
    h[263] = '0';
    h[264] = '0';
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    int sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    octal(h, 148, 7, sum);
    tar.write(h);
    tar.write(body);
    tar.write(new byte[(512 - body.length % 512) % 512]);
  }

  private static void octal(byte[] h, int off, int len, long v) {
    String s = String.format("%0" + (len - 1) + "o", v);
    System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
  }
}
