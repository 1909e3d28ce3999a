package atelier.image.basemap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import atelier.BadRequestException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpSyntaxTest {
  @Test
  void splitsNameNamedAndBareValues() {
    OpSyntax.Parsed p = OpSyntax.parse(" Noise : perlin , mode=color,seed = 7 ");
    assertThat(p.name()).isEqualTo("noise");
    assertThat(p.positional()).containsExactly("perlin");
    assertThat(p.named()).containsExactly(Map.entry("mode", "color"), Map.entry("seed", "7"));
  }

  @Test
  void quotedValuesKeepCommasEqualsAndSpaces() {
    OpSyntax.Parsed p = OpSyntax.parse("text:\"Hello, world = \\\"hi\\\" \",color='#fff'");
    assertThat(p.positional()).containsExactly("Hello, world = \"hi\" ");
    assertThat(p.named()).containsEntry("color", "#fff");
    assertThat(OpSyntax.parse("curve").named()).isEmpty();
  }

  @Test
  void formatQuotesOnlyWhatNeedsIt() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kelvin", 3200.0);
    m.put("tint", -0.25);
    m.put("text", "a, b");
    m.put("mode", Noise.Mode.COLOR);
    String s = OpSyntax.format("x", m);
    assertThat(s).isEqualTo("x:kelvin=3200,tint=-0.25,text=\"a, b\",mode=color");
    assertThat(OpSyntax.parse(s).named()).containsEntry("text", "a, b");
  }

  @Test
  void rejectsBrokenText() {
    assertThatThrownBy(() -> OpSyntax.parse("text:'open"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("expected a closing '");
    assertThatThrownBy(() -> OpSyntax.parse("blur:sigma=1,sigma=2"))
        .hasMessageContaining("expected each parameter once, found 'sigma' twice");
    assertThatThrownBy(() -> OpSyntax.parse(":x=1")).hasMessageContaining("found the name ''");
  }

  @Test
  void registryRejectsUnknownNamesAndParameters() {
    assertThatThrownBy(() -> OpKind.parse("blurr:2"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith("basemap op: expected one of canvas, temperature, brightness")
        .hasMessageEndingWith("found 'blurr'");
    assertThatThrownBy(() -> OpKind.parse("blur:radius=3"))
        .hasMessage("basemap blur: expected parameters sigma, found 'radius'");
    assertThatThrownBy(() -> OpKind.parse("noise:perlin,sigma=0.1"))
        .hasMessage("basemap noise: expected parameters type, mode, seed, mix, found 'sigma'");
    assertThatThrownBy(() -> OpKind.parse("temperature:kelvin=warm"))
        .hasMessage("basemap temperature: kelvin: expected a number, found 'warm'");
    assertThatThrownBy(() -> OpKind.parse("temperature:500"))
        .hasMessage("basemap temperature: kelvin: expected 1000 to 40000, found 500");
    assertThatThrownBy(() -> OpKind.parse("blur:1,2"))
        .hasMessage("basemap blur: expected at most 1 unnamed value (sigma), found 2: [1, 2]");
    assertThatThrownBy(() -> OpKind.parse("background:key=chroma"))
        .hasMessageContaining(
            "key: expected one of all, alpha, light, dark, flood, found 'chroma'");
  }

  @Test
  void everyKindRoundTripsThroughItsCanonicalText() {
    List<String> samples =
        List.of(
            "canvas:64,32,#102030",
            "temperature:3200,tint=0.1",
            "brightness:-0.2",
            "contrast:1.5",
            "gamma:2.2",
            "levels:10,240,1.2,outBlack=5,outWhite=250",
            "curve:points=0/0;64/40;192/220;255/255,channel=g",
            "hsl:30,1.2,-0.1",
            "background:#223344,key=flood,tolerance=0.05",
            "gradient:radial,from=#000,to=#fff,key=light",
            "noise:gaussian,sigma=0.2,seed=9,mode=gray",
            "noise:perlin,mode=color,seed=3,mix=0.5",
            "blur:1.5",
            "dilate:3",
            "erode:radius=2",
            "feather:6,inside=true",
            "resize:64,48,fit=contain",
            "crop:16:9,anchor=top",
            "pad:aspect=1:1,margin=0.1,color=transparent",
            "text:'Hi, there',size=40,stroke=0.05,strokeColor=red");
    assertThat(samples.stream().map(s -> OpKind.parse(s).kind()).distinct().count())
        .isEqualTo(OpKind.values().length - 1); // every kind but logo (LogoTest covers it)
    for (String s : samples) {
      BasemapOp op = OpKind.parse(s);
      BasemapOp again = OpKind.parse(op.spec());
      assertThat(again).as(s).isEqualTo(op);
      assertThat(again.spec()).isEqualTo(op.spec());
    }
    assertThat(OpKind.parse("temperature:3200").spec()).isEqualTo("temperature:kelvin=3200,tint=0");
  }

  @Test
  void chainsNameTheFailingStepAndKeepSourcesFirst() {
    assertThatThrownBy(() -> BasemapChain.parse(List.of("blur:1", "gamma:x")))
        .hasMessageStartingWith("basemap step 2 'gamma:x': basemap gamma: value: expected");
    assertThatThrownBy(() -> BasemapChain.parse(List.of("blur:1", "canvas:8,8")))
        .hasMessageContaining("expected canvas only as the first step");
    assertThatThrownBy(() -> BasemapChain.parse(List.of("blur:1")).apply(null))
        .hasMessageContaining("expected an input image or a chain starting with canvas");
    BasemapChain c = BasemapChain.parse(List.of("canvas:4,2,#ff0000", "hsl:120"));
    assertThat(Img.px(c.apply(null))).containsOnly(Img.rgb(0, 255, 0));
    assertThat(c.specs())
        .containsExactly(
            "canvas:width=4,height=2,color=#ff0000",
            "hue-saturation:hue=120,saturation=1,lightness=0");
  }
}
