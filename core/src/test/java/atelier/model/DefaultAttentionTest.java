package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DefaultAttentionTest {
  @AfterEach
  void clear() {
    System.clearProperty("atelier.attention");
  }

  @Test
  void attentionIsFusedByDefaultAndCanBeTurnedOff() {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("ATELIER_ATTENTION") == null);
    assertThat(SessionSettings.CPU.fusedAttention()).isTrue();
    assertThat(new SessionSettings(Device.CPU, 2, 0).fusedAttention()).isTrue();
    System.setProperty("atelier.attention", "standard");
    assertThat(new SessionSettings(Device.CPU, 2, 0).fusedAttention()).isFalse();
    System.setProperty("atelier.attention", "Fused");
    assertThat(new SessionSettings(Device.CPU, 2, 0).fusedAttention()).isTrue();
    System.setProperty("atelier.attention", "flash");
    assertThatThrownBy(() -> new SessionSettings(Device.CPU, 2, 0))
        .isInstanceOf(BadRequestException.class)
        .hasMessage(
            "attention (atelier.attention / ATELIER_ATTENTION): expected fused or standard,"
                + " found \"flash\"");
  }
}
