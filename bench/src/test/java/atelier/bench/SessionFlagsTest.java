package atelier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.model.Device;
import atelier.model.SessionSettings;
import atelier.model.SessionTuning;
import org.junit.jupiter.api.Test;

/**
 * The harnesses' session flags set the levers they name on the settings (and {@code
 * SessionTuningTest} in core checks that each lever reaches ONNX Runtime's session options).
 */
class SessionFlagsTest {
  private static SessionSettings settings(String... args) {
    SessionFlags f = new SessionFlags();
    for (int i = 0; i < args.length; i += 2) {
      assertThat(f.accept(args[i], args[i + 1])).as(args[i]).isTrue();
    }
    return f.applyTo(SessionSettings.of(Device.CPU));
  }

  @Test
  void noFlagsKeepTheDefaults() {
    SessionSettings s = settings();
    assertThat(s.intraOpThreads()).isZero();
    assertThat(s.tuning()).isEqualTo(SessionTuning.DEFAULT);
  }

  @Test
  void eachFlagSetsItsLever() {
    assertThat(settings("--threads", "2").intraOpThreads()).isEqualTo(2);
    assertThat(settings("--inter-op", "2").tuning().interOpThreads()).isEqualTo(2);
    assertThat(settings("--spin", "off").tuning())
        .isEqualTo(SessionTuning.DEFAULT.withSpinning(false));
    assertThat(settings("--arena", "off").tuning())
        .isEqualTo(SessionTuning.DEFAULT.withArena(false));
    assertThat(settings("--mem-pattern", "off").tuning())
        .isEqualTo(SessionTuning.DEFAULT.withMemoryPattern(false));
    assertThat(settings("--prepack", "off").tuning())
        .isEqualTo(SessionTuning.DEFAULT.withPrepacking(false));
    assertThat(settings("--prepack", "off", "--prepack", "on").tuning())
        .isEqualTo(SessionTuning.DEFAULT);
    assertThat(settings("--spin", "off", "--prepack", "off").tuning().configEntries())
        .containsKeys("session.intra_op.allow_spinning", "session.disable_prepacking");
  }

  @Test
  void otherFlagsAreLeftToTheHarness() {
    assertThat(new SessionFlags().accept("--model", "x")).isFalse();
  }

  @Test
  void badValuesNameTheFlag() {
    assertThatThrownBy(() -> settings("--spin", "yes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--spin: expected on or off, found \"yes\"");
    assertThatThrownBy(() -> settings("--inter-op", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--inter-op: expected 1 to 256, found \"0\"");
    assertThatThrownBy(() -> settings("--threads", "many"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--threads: expected 0 to 256, found \"many\"");
  }
}
