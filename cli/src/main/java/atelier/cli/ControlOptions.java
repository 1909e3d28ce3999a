package atelier.cli;

import atelier.BadRequestException;
import atelier.jobs.ControlSpec;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code generate}'s ControlNet options: {@code --control MODEL:IMAGE[:SCALE[:START-END]]}
 * (repeatable), {@code --control-pre} (once for every control, or once per control in order) and
 * {@code --guess-mode}.
 */
final class ControlOptions {
  @Option(
      names = "--control",
      paramLabel = "MODEL:IMAGE[:S[:A-B]]",
      description =
          "Steer the structure with a ControlNet (a folder, an installed id, or a fused slot 1..N)"
              + " and its control image, at scale S (1) during steps A-B (0-1); repeatable.")
  List<String> controls;

  @Option(
      names = "--control-pre",
      paramLabel = "canny[:LO:HI]|invert|mono[:T]",
      description =
          "Preprocess the control image: canny edges, invert, or mono (text/logo as black and"
              + " white); once for all controls or once per --control.")
  List<String> pre;

  @Option(
      names = "--guess-mode",
      description = "ControlNet guess mode: the control acts without the negative prompt's half.")
  boolean guessMode;

  /** The controls as job specs, or null without {@code --control}. */
  List<ControlSpec> specs() {
    if (controls == null || controls.isEmpty()) {
      if (pre != null || guessMode) {
        throw new BadRequestException(
            (pre != null ? "--control-pre" : "--guess-mode")
                + ": applies to ControlNets; expected --control MODEL:IMAGE, found none");
      }
      return null;
    }
    if (pre != null && pre.size() != 1 && pre.size() != controls.size()) {
      throw new BadRequestException(
          "--control-pre: expected one (for every --control) or "
              + controls.size()
              + " (one per --control), found "
              + pre.size());
    }
    List<ControlSpec> out = new ArrayList<>();
    for (int i = 0; i < controls.size(); i++) {
      String p = pre == null ? null : pre.get(pre.size() == 1 ? 0 : i);
      out.add(ControlSpec.parse(controls.get(i), p == null || p.equals("none") ? null : p));
    }
    return out;
  }

  /** Whether {@code --control} was given (it replaces the ControlNets of {@code --from}). */
  boolean given() {
    return controls != null && !controls.isEmpty();
  }

  Boolean guessMode() {
    return guessMode ? Boolean.TRUE : null;
  }
}
