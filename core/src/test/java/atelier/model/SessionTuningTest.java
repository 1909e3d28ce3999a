package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import atelier.BadRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each {@link SessionTuning} lever reaches ONNX Runtime's session options (recorded by a subclass
 * that still makes the real native calls), and the defaults configure a session as before.
 */
class SessionTuningTest {
  private static final SessionSettings CPU = SessionSettings.CPU.withoutGraphCache();

  /** Session options that remember the calls {@link OnnxModel#apply} makes. */
  private static final class Recording extends OrtSession.SessionOptions {
    final List<String> calls = new ArrayList<>();

    @Override
    public void setExecutionMode(ExecutionMode mode) throws OrtException {
      calls.add("mode " + mode);
      super.setExecutionMode(mode);
    }

    @Override
    public void setInterOpNumThreads(int n) throws OrtException {
      calls.add("inter-op " + n);
      super.setInterOpNumThreads(n);
    }

    @Override
    public void setIntraOpNumThreads(int n) throws OrtException {
      calls.add("intra-op " + n);
      super.setIntraOpNumThreads(n);
    }

    @Override
    public void setCPUArenaAllocator(boolean on) throws OrtException {
      calls.add("arena " + on);
      super.setCPUArenaAllocator(on);
    }

    @Override
    public void setMemoryPatternOptimization(boolean on) throws OrtException {
      calls.add("memory pattern " + on);
      super.setMemoryPatternOptimization(on);
    }
  }

  private static Recording applied(SessionSettings s) throws OrtException {
    Recording r = new Recording();
    OnnxModel.apply(s, r);
    return r;
  }

  @Test
  void theDefaultsConfigureASessionAsBefore() throws OrtException {
    try (Recording r = applied(CPU)) {
      assertThat(r.calls).containsExactly("mode SEQUENTIAL", "inter-op 1");
      assertThat(r.getConfigEntries()).isEmpty();
    }
    assertThat(SessionTuning.DEFAULT.configEntries()).isEmpty();
    assertThat(new SessionSettings(Device.CPU, 0, 0).tuning()).isEqualTo(SessionTuning.DEFAULT);
  }

  @Test
  void eachLeverReachesTheSessionOptions() throws OrtException {
    try (Recording r = applied(CPU.withIntraOpThreads(3))) {
      assertThat(r.calls).contains("intra-op 3");
    }
    try (Recording r = applied(CPU.withTuning(SessionTuning.DEFAULT.withInterOpThreads(2)))) {
      assertThat(r.calls).containsExactly("mode PARALLEL", "inter-op 2");
    }
    try (Recording r = applied(CPU.withTuning(SessionTuning.DEFAULT.withArena(false)))) {
      assertThat(r.calls).contains("arena false");
    }
    try (Recording r = applied(CPU.withTuning(SessionTuning.DEFAULT.withMemoryPattern(false)))) {
      assertThat(r.calls).contains("memory pattern false");
    }
    try (Recording r = applied(CPU.withTuning(SessionTuning.DEFAULT.withSpinning(false)))) {
      assertThat(r.getConfigEntries())
          .isEqualTo(
              Map.of(
                  "session.intra_op.allow_spinning", "0", "session.inter_op.allow_spinning", "0"));
    }
    try (Recording r = applied(CPU.withTuning(SessionTuning.DEFAULT.withPrepacking(false)))) {
      assertThat(r.getConfigEntries()).isEqualTo(Map.of("session.disable_prepacking", "1"));
    }
  }

  @Test
  void aSessionWithEveryLeverChangedComputesTheSame() throws Exception {
    Path vae = Path.of("src/test/resources/models/sd15-optimum-1.22/vae_decoder/model.onnx");
    assertThat(Files.isRegularFile(vae)).isTrue();
    SessionTuning all =
        new SessionTuning(2, false, false, false, false); // every lever off its default
    float[] latents = new float[4 * 8 * 8];
    for (int i = 0; i < latents.length; i++) {
      latents[i] = (float) Math.sin(i * 0.29);
    }
    Map<String, Tensor> feed = Map.of("latent_sample", Tensor.floats(latents, 1, 4, 8, 8));
    try (OnnxModel plain = OnnxModel.open("vae_decoder", vae, CPU);
        OnnxModel tuned = OnnxModel.open("vae_decoder", vae, CPU.withTuning(all))) {
      float[] a = plain.run(feed, "sample").get("sample").floatData();
      float[] b = tuned.run(feed, "sample").get("sample").floatData();
      assertThat(b).hasSameSizeAs(a);
      for (int i = 0; i < a.length; i++) {
        assertThat(b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
  }

  @Test
  void interOpThreadsAreChecked() {
    assertThatThrownBy(() -> SessionTuning.DEFAULT.withInterOpThreads(0))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("inter-op threads: expected 1 to 256, found 0");
  }
}
