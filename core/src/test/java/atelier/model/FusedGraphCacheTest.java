package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;

import atelier.model.OnnxModel.GraphCacheUse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optimised-graph cache with attention fusion (the default) on the tiny UNet: the entry is
 * keyed on the source files and the fusion's identity, so a second load finds it without reading or
 * rewriting the graph (docs/benchmarks.md, "Load time").
 */
class FusedGraphCacheTest {
  private static final Path UNET = Path.of("src/test/resources/models/sd15-optimum-1.22/unet");

  @TempDir Path temp;
  private Path graph;
  private Path cacheDir;
  private SessionSettings fused;

  @BeforeEach
  void copyModel() throws IOException {
    Path unet = Files.createDirectories(temp.resolve("unet"));
    for (String f : List.of("model.onnx", "model.onnx_data")) {
      Files.copy(UNET.resolve(f), unet.resolve(f));
    }
    graph = unet.resolve("model.onnx");
    cacheDir = temp.resolve("cache");
    fused = new SessionSettings(Device.CPU, 1, 0).withGraphCache(cacheDir).withFusedAttention(true);
    System.setProperty(GraphCache.MIN_BYTES_PROPERTY, "0");
  }

  @AfterEach
  void defaultMinimum() {
    System.clearProperty(GraphCache.MIN_BYTES_PROPERTY);
  }

  @Test
  void theSecondFusedLoadIsAHitThatDoesNotRewriteTheGraph() {
    float[] uncached = run(fused.withoutGraphCache(), GraphCacheUse.OFF);
    float[] first = run(fused, GraphCacheUse.STORED);
    long rewrites = AttentionFusion.rewrites();
    float[] second = run(fused, GraphCacheUse.HIT);
    assertThat(AttentionFusion.rewrites()).isEqualTo(rewrites);
    assertThat(first).containsExactly(uncached);
    assertThat(second).containsExactly(first);
    assertThat(entries()).hasSize(1);
  }

  @Test
  void aHitDoesNotReadTheGraphFile() throws IOException {
    float[] first = run(fused, GraphCacheUse.STORED);
    // Same size and modification time, other bytes: only a load that reads the file notices.
    FileTime mtime = Files.getLastModifiedTime(graph);
    byte[] junk = new byte[(int) Files.size(graph)];
    Arrays.fill(junk, (byte) 0x7f);
    Files.write(graph, junk);
    Files.setLastModifiedTime(graph, mtime);
    assertThat(Files.getLastModifiedTime(graph)).isEqualTo(mtime);
    assertThat(run(fused, GraphCacheUse.HIT)).containsExactly(first);
  }

  @Test
  void fusedAndStandardAttentionHaveTheirOwnEntries() throws IOException {
    SessionSettings standard = fused.withFusedAttention(false);
    run(fused, GraphCacheUse.STORED);
    run(standard, GraphCacheUse.STORED);
    assertThat(entries()).hasSize(2);
    run(fused, GraphCacheUse.HIT);
    run(standard, GraphCacheUse.HIT);
    List<String> rewrites =
        entries().stream().map(e -> record(e).getProperty("rewrite", "none")).sorted().toList();
    assertThat(rewrites).containsExactly(AttentionFusion.IDENTITY, "none");
  }

  @Test
  void anotherFusionVersionIsAnotherKey() {
    String a = GraphCache.keyOf(graph, "1.0", "ALL_OPT CPU", "attention-fusion 1");
    String b = GraphCache.keyOf(graph, "1.0", "ALL_OPT CPU", "attention-fusion 2");
    assertThat(a).isNotEqualTo(b);
    assertThat(AttentionFusion.IDENTITY).contains(Integer.toString(AttentionFusion.VERSION));
  }

  @Test
  void anEditedGraphMakesANewEntryAndTheOldOneIsDeleted() throws IOException {
    float[] first = run(fused, GraphCacheUse.STORED);
    Path before = entries().get(0);
    Files.setLastModifiedTime(
        graph, FileTime.fromMillis(Files.getLastModifiedTime(graph).toMillis() + 5000));
    assertThat(run(fused, GraphCacheUse.STORED)).containsExactly(first);
    assertThat(entries()).hasSize(1).doesNotContain(before);
  }

  @Test
  void aTruncatedFusedEntryIsRebuilt() throws IOException {
    float[] first = run(fused, GraphCacheUse.STORED);
    truncate(entries().get(0).resolve(GraphCache.MODEL));
    assertThat(run(fused, GraphCacheUse.REBUILT)).containsExactly(first);
    assertThat(run(fused, GraphCacheUse.HIT)).containsExactly(first);
    assertThat(entries()).hasSize(1);
  }

  /** Loads, checks the cache use and that all 8 attention blocks count as fused, runs once. */
  private float[] run(SessionSettings settings, GraphCacheUse expected) {
    try (OnnxModel m = OnnxModel.open("unet", graph, settings)) {
      assertThat(m.graphCacheUse()).isEqualTo(expected);
      assertThat(m.fusedAttentions()).isEqualTo(settings.fusedAttention() ? 8 : 0);
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
    return m.run(
            Map.of(
                "sample", Tensor.floats(sample, 2, 4, 8, 8),
                "timestep", Tensor.longs(new long[] {500}, 1),
                "encoder_hidden_states", Tensor.floats(hidden, 2, 7, 16)),
            "out_sample")
        .get("out_sample")
        .floatData();
  }

  private List<Path> entries() {
    try (Stream<Path> s = Files.list(cacheDir)) {
      return s.filter(Files::isDirectory).toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Properties record(Path entry) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(entry.resolve(GraphCache.RECORD))) {
      p.load(in);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return p;
  }

  private static void truncate(Path file) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.truncate(c.size() / 2);
    }
  }
}
