package atelier.diffusion;

import atelier.BadRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The samplers Atelier offers, each the diffusers scheduler class it reproduces. Names are the CLI
 * and API spellings; {@link #lookup} also takes the aliases and A1111-style names.
 */
public enum SchedulerKind {
  /** diffusers EulerDiscreteScheduler. */
  EULER("euler", "EulerDiscreteScheduler", "euler_discrete", "k_euler"),
  /** diffusers EulerAncestralDiscreteScheduler: fresh noise from the generator every step. */
  EULER_ANCESTRAL(
      "euler-a",
      "EulerAncestralDiscreteScheduler",
      "euler_a",
      "euler-ancestral",
      "euler_ancestral",
      "k_euler_a",
      "k_euler_ancestral"),
  /** diffusers DDIMScheduler; eta (default 0) adds fresh noise. */
  DDIM("ddim", "DDIMScheduler"),
  /** diffusers DPMSolverMultistepScheduler: dpmsolver++, second order. */
  DPMPP_2M("dpm++2m", "DPMSolverMultistepScheduler", "dpmpp2m", "dpmpp-2m", "dpmpp_2m", "dpm++_2m"),
  /** DPM++ 2M with Karras sigmas (use_karras_sigmas=True). */
  DPMPP_2M_KARRAS(
      "dpm++2m-karras",
      "DPMSolverMultistepScheduler",
      "dpmpp2m-karras",
      "dpmpp-2m-karras",
      "dpmpp_2m_karras",
      "dpm++2m_karras",
      "dpm++_2m_karras"),
  /** diffusers LCMScheduler, for latent-consistency models (2–8 steps). */
  LCM("lcm", "LCMScheduler"),
  /** diffusers PNDMScheduler (PLMS; the Runge–Kutta warm-up unless skip_prk_steps). */
  PNDM("pndm", "PNDMScheduler", "plms");

  private final String cliName;
  private final String diffusersClass;
  private final List<String> aliases;

  SchedulerKind(String cliName, String diffusersClass, String... aliases) {
    this.cliName = cliName;
    this.diffusersClass = diffusersClass;
    this.aliases = List.of(aliases);
  }

  /** The name used on the command line, in the API and in image metadata, e.g. "dpm++2m". */
  public String cliName() {
    return cliName;
  }

  /** The diffusers class this kind reproduces, e.g. "EulerDiscreteScheduler". */
  public String diffusersClass() {
    return diffusersClass;
  }

  /**
   * The kind with this name or alias, ignoring case and surrounding space.
   *
   * @throws BadRequestException naming the valid names if there is none
   */
  public static SchedulerKind lookup(String name) {
    String wanted = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
    for (SchedulerKind kind : values()) {
      if (kind.cliName.equals(wanted) || kind.aliases.contains(wanted)) {
        return kind;
      }
    }
    throw new BadRequestException(
        "scheduler: expected one of " + names() + ", found \"" + name + "\"");
  }

  /**
   * The kind a model's own scheduler config names (its {@code _class_name}), if Atelier has it:
   * DPMSolverMultistepScheduler counts as Karras when the config sets use_karras_sigmas.
   */
  public static Optional<SchedulerKind> forConfig(SchedulerConfig config) {
    Optional<String> className = config.className();
    if (className.isEmpty()) {
      return Optional.empty();
    }
    if (className.get().equals(DPMPP_2M.diffusersClass)) {
      boolean karras = config.bool("use_karras_sigmas").orElse(false);
      return Optional.of(karras ? DPMPP_2M_KARRAS : DPMPP_2M);
    }
    for (SchedulerKind kind : values()) {
      if (kind.diffusersClass.equals(className.get())) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }

  /** The CLI names of all kinds, in declaration order. */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    for (SchedulerKind kind : values()) {
      names.add(kind.cliName);
    }
    return names;
  }

  @Override
  public String toString() {
    return cliName;
  }
}
