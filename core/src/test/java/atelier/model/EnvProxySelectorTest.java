package atelier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Proxy;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Proxy choice from the environment, with curl's conventions for the variables and NO_PROXY. */
class EnvProxySelectorTest {
  private static URI u(String s) {
    return URI.create(s);
  }

  @Test
  void noVariablesMeansNoSelector() {
    assertThat(EnvProxySelector.fromEnvironment(Map.of())).isNull();
    assertThat(EnvProxySelector.fromEnvironment(Map.of("https_proxy", " "))).isNull();
  }

  @Test
  void schemesPickTheirOwnVariableLowerCaseFirstAndAllProxyFillsIn() {
    EnvProxySelector s =
        EnvProxySelector.fromEnvironment(
            Map.of(
                "https_proxy", "http://lower:3128",
                "HTTPS_PROXY", "http://upper:3128",
                "ALL_PROXY", "proxy.corp:8080"));
    assertThat(s.proxyFor(u("https://huggingface.co/x"))).hasToString("http://lower:3128");
    assertThat(s.proxyFor(u("http://mirror.local/x"))).hasToString("http://proxy.corp:8080");
    Proxy p = s.select(u("https://huggingface.co/x")).get(0);
    assertThat(p.type()).isEqualTo(Proxy.Type.HTTP);
    assertThat(p.address().toString()).contains("lower").contains("3128");
  }

  @Test
  void noProxyMatchesHostsSubdomainsPortsAndStar() {
    EnvProxySelector s =
        new EnvProxySelector(
            u("http://p:1"), u("http://p:1"), "localhost, .internal.net,*.corp, 10.0.0.7:8443");
    assertThat(s.proxyFor(u("http://localhost:9000/x"))).isNull();
    assertThat(s.proxyFor(u("https://a.internal.net/x"))).isNull();
    assertThat(s.proxyFor(u("https://internal.net/x"))).isNull();
    assertThat(s.proxyFor(u("https://b.corp/x"))).isNull();
    assertThat(s.proxyFor(u("https://10.0.0.7:8443/x"))).isNull();
    assertThat(s.proxyFor(u("https://10.0.0.7/x"))).isNotNull();
    assertThat(s.proxyFor(u("https://notinternal.net/x"))).isNotNull();
    assertThat(s.proxyFor(u("https://huggingface.co/x"))).isNotNull();
    assertThat(new EnvProxySelector(u("http://p:1"), null, "*").proxyFor(u("http://a/"))).isNull();
  }

  @Test
  void credentialsAreUsedButNeverShown() {
    EnvProxySelector s =
        EnvProxySelector.fromEnvironment(Map.of("https_proxy", "http://me:s3cret@p.corp:3128"));
    assertThat(s.userInfo()).isEqualTo("me:s3cret");
    assertThat(s.toString()).doesNotContain("s3cret").contains("p.corp:3128");
  }

  @Test
  void aMalformedAddressNamesTheVariable() {
    assertThatThrownBy(() -> EnvProxySelector.fromEnvironment(Map.of("https_proxy", "http://")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HTTPS_PROXY: expected a proxy address");
  }
}
