package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import org.junit.jupiter.api.Test;

class SessionSettingsTest {
  @Test
  void threadCountsAreCappedBeforeAnySessionStarts() {
    assertThat(new SessionSettings(Device.CPU, SessionSettings.MAX_THREADS, 0).intraOpThreads())
        .isEqualTo(256);
    assertThatThrownBy(() -> new SessionSettings(Device.CPU, 100_000, 0))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("threads: expected at most 256 per operator, found 100000");
  }
}
