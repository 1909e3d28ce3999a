package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.model.OnnxModel.GraphCacheUse;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optimised-graph cache on the tiny UNet (external weights beside the graph, as full-size
 * exports have): the second load uses the cache and every cached session computes exactly what the
 * uncached one does; damaged entries are rebuilt, edited models get a new entry.
 */
class GraphCacheTest {
  private static final Path UNET = Path.of("src/test/resources/models/sd15-optimum-1.22/unet");

  @TempDir Path temp;
  private Path graph;
  private Path cacheDir;
  private SessionSettings cached;

  @BeforeEach
  void copyModel() throws IOException {
    Path unet = Files.createDirectories(temp.resolve("unet"));
    for (String f : List.of("model.onnx", "model.onnx_data")) {
      Files.copy(UNET.resolve(f), unet.resolve(f));
    }
    graph = unet.resolve("model.onnx");
    cacheDir = temp.resolve("cache");
    cached = new SessionSettings(Device.CPU, 1, 0).withGraphCache(cacheDir);
    // The tiny UNet is below the size from which models are cached.
    System.setProperty(GraphCache.MIN_BYTES_PROPERTY, "0");
  }

  @AfterEach
  void defaultMinimum() {
    System.clearProperty(GraphCache.MIN_BYTES_PROPERTY);
  }

  @Test
  void modelsBelowTheMinimumSizeAreNotCached() {
    System.setProperty(GraphCache.MIN_BYTES_PROPERTY, Long.toString(2L << 20)); // UNet is ~1 MB
    run(cached, GraphCacheUse.OFF);
    run(cached, GraphCacheUse.OFF);
    assertThat(cacheDir).doesNotExist();
  }

  @Test
  void secondLoadUsesTheCacheAndComputesTheSame() {
    float[] plain = run(SessionSettings.CPU.withoutGraphCache(), GraphCacheUse.OFF);
    float[] first = run(cached, GraphCacheUse.STORED);
    float[] second = run(cached, GraphCacheUse.HIT);
    assertThat(first).containsExactly(plain);
    assertThat(second).containsExactly(plain);
    assertThat(entries()).hasSize(1);
    Path entry = entries().get(0);
    assertThat(entry.resolve(GraphCache.DATA)).isRegularFile();
    assertThat(entry.resolve(GraphCache.RECORD)).isRegularFile();
  }

  @Test
  void aTruncatedGraphOrDataFileIsRebuilt() throws IOException {
    float[] plain = run(cached, GraphCacheUse.STORED);
    truncate(entries().get(0).resolve(GraphCache.MODEL));
    assertThat(run(cached, GraphCacheUse.REBUILT)).containsExactly(plain);
    assertThat(run(cached, GraphCacheUse.HIT)).containsExactly(plain);
    truncate(entries().get(0).resolve(GraphCache.DATA));
    assertThat(run(cached, GraphCacheUse.REBUILT)).containsExactly(plain);
    assertThat(entries()).hasSize(1);
  }

  @Test
  void editedWeightsMakeANewEntryAndTheOldOneIsDeleted() throws IOException {
    run(cached, GraphCacheUse.STORED);
    Path before = entries().get(0);
    Path data = graph.resolveSibling("model.onnx_data");
    Files.setLastModifiedTime(
        data, FileTime.fromMillis(Files.getLastModifiedTime(data).toMillis() + 5000));
    run(cached, GraphCacheUse.STORED);
    assertThat(entries()).hasSize(1).doesNotContain(before);
  }

  @Test
  void graphsGivenAsBytesAreCachedToo() throws IOException {
    byte[] bytes = Files.readAllBytes(graph);
    try (OnnxModel a = OnnxModel.open("unet", bytes, graph, cached);
        OnnxModel b = OnnxModel.open("unet", bytes, graph, cached)) {
      assertThat(a.graphCacheUse()).isEqualTo(GraphCacheUse.STORED);
      assertThat(b.graphCacheUse()).isEqualTo(GraphCacheUse.HIT);
      assertThat(output(b)).containsExactly(output(a));
    }
  }

  @Test
  void anUnwritableCacheFolderOnlyCostsTheCaching() throws IOException {
    Files.writeString(cacheDir, "a file where the folder should be");
    float[] plain = run(SessionSettings.CPU.withoutGraphCache(), GraphCacheUse.OFF);
    assertThat(run(cached, GraphCacheUse.OFF)).containsExactly(plain);
  }

  private float[] run(SessionSettings settings, GraphCacheUse expected) {
    try (OnnxModel m = OnnxModel.open("unet", graph, settings)) {
      assertThat(m.graphCacheUse()).isEqualTo(expected);
      return output(m);
    }
  }

  private static float[] output(OnnxModel m) {
    int n = 2 * 4 * 8 * 8;
    float[] sample = new float[n];
    for (int i = 0; i < n; i++) {
      sample[i] = (float) Math.sin(i * 0.37);
    }
    float[] hidden = new float[2 * 7 * 16];
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = (float) Math.cos(i * 0.11);
    }
    Map<String, Tensor> out =
        m.run(
            Map.of(
                "sample", Tensor.floats(sample, 2, 4, 8, 8),
                "timestep", Tensor.longs(new long[] {500}, 1),
                "encoder_hidden_states", Tensor.floats(hidden, 2, 7, 16)),
            "out_sample");
    return out.get("out_sample").floatData();
  }

  private List<Path> entries() {
    try (Stream<Path> s = Files.list(cacheDir)) {
      return s.filter(Files::isDirectory).toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void truncate(Path file) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.truncate(c.size() / 2);
    }
  }
}
