package atelier.diffusion;

import atelier.BadRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The samplers Atelier offers, each the diffusers scheduler class it reproduces. Each has a CLI and
 * API spelling ({@link #cliName}, stored in Atelier's record) and AUTOMATIC1111's name ({@link
 * #a1111Name}, written in the PNG's parameters text); {@link #lookup} takes either, and aliases.
 */
public enum SchedulerKind {
  /** diffusers EulerDiscreteScheduler. */
  EULER("euler", "Euler", "EulerDiscreteScheduler", "euler_discrete", "k_euler"),
  /** diffusers EulerAncestralDiscreteScheduler: fresh noise from the generator every step. */
  EULER_ANCESTRAL(
      "euler-a",
      "Euler a",
      "EulerAncestralDiscreteScheduler",
      "euler_a",
      "euler-ancestral",
      "euler_ancestral",
      "k_euler_a",
      "k_euler_ancestral"),
  /** diffusers DDIMScheduler; eta (default 0) adds fresh noise. */
  DDIM("ddim", "DDIM", "DDIMScheduler"),
  /** diffusers DPMSolverMultistepScheduler: dpmsolver++, second order. */
  DPMPP_2M(
      "dpm++2m",
      "DPM++ 2M",
      "DPMSolverMultistepScheduler",
      "dpmpp2m",
      "dpmpp-2m",
      "dpmpp_2m",
      "dpm++_2m",
      "k_dpmpp_2m"),
  /** DPM++ 2M with Karras sigmas (use_karras_sigmas=True). */
  DPMPP_2M_KARRAS(
      "dpm++2m-karras",
      "DPM++ 2M Karras",
      "DPMSolverMultistepScheduler",
      "dpmpp2m-karras",
      "dpmpp-2m-karras",
      "dpmpp_2m_karras",
      "dpm++2m_karras",
      "dpm++_2m_karras",
      "k_dpmpp_2m_ka"),
  /** diffusers LCMScheduler, for latent-consistency models (2–8 steps). */
  LCM("lcm", "LCM", "LCMScheduler"),
  /** diffusers PNDMScheduler (PLMS; the Runge–Kutta warm-up unless skip_prk_steps). */
  PNDM("pndm", "PLMS", "PNDMScheduler", "plms"),
  /** DPMSolverMultistepScheduler as sde-dpmsolver++, second order: fresh noise every step. */
  DPMPP_2M_SDE(
      "dpm++2m-sde",
      "DPM++ 2M SDE",
      "DPMSolverMultistepScheduler",
      "dpmpp2m-sde",
      "dpmpp-2m-sde",
      "dpmpp_2m_sde",
      "k_dpmpp_2m_sde"),
  /** DPM++ 2M SDE with Karras sigmas. */
  DPMPP_2M_SDE_KARRAS(
      "dpm++2m-sde-karras",
      "DPM++ 2M SDE Karras",
      "DPMSolverMultistepScheduler",
      "dpmpp2m-sde-karras",
      "dpmpp-2m-sde-karras",
      "dpmpp_2m_sde_karras",
      "k_dpmpp_2m_sde_ka"),
  /** diffusers UniPCMultistepScheduler: predict x0, bh2, second order (the corrector on). */
  UNIPC("unipc", "UniPC", "UniPCMultistepScheduler", "uni_pc", "unipc_multistep"),
  /** diffusers HeunDiscreteScheduler: two UNet calls per step, the last step Euler. */
  HEUN("heun", "Heun", "HeunDiscreteScheduler", "k_heun", "heun_discrete"),
  /** diffusers LMSDiscreteScheduler: linear multistep, order 4. */
  LMS("lms", "LMS", "LMSDiscreteScheduler", "k_lms", "lms_discrete"),
  /** LMS with Karras sigmas (use_karras_sigmas=True). */
  LMS_KARRAS("lms-karras", "LMS Karras", "LMSDiscreteScheduler", "k_lms_ka", "lms_karras"),
  /** diffusers KDPM2DiscreteScheduler: two UNet calls per step (at the step's log midpoint). */
  DPM2("dpm2", "DPM2", "KDPM2DiscreteScheduler", "k_dpm_2", "kdpm2", "dpm_2"),
  /** DPM2 with Karras sigmas (use_karras_sigmas=True). */
  DPM2_KARRAS("dpm2-karras", "DPM2 Karras", "KDPM2DiscreteScheduler", "k_dpm_2_ka", "dpm2_karras");

  private final String cliName;
  private final String a1111Name;
  private final String diffusersClass;
  private final List<String> aliases;

  SchedulerKind(String cliName, String a1111Name, String diffusersClass, String... aliases) {
    this.cliName = cliName;
    this.a1111Name = a1111Name;
    this.diffusersClass = diffusersClass;
    this.aliases = List.of(aliases);
  }

  /** The name used on the command line, in the API and in image metadata, e.g. "dpm++2m". */
  public String cliName() {
    return cliName;
  }

  /**
   * AUTOMATIC1111's name for this sampler, e.g. "DPM++ 2M Karras": what Atelier writes as {@code
   * Sampler:} in a PNG's parameters text, and what {@link #lookup} also accepts.
   */
  public String a1111Name() {
    return a1111Name;
  }

  /** The diffusers class this kind reproduces, e.g. "EulerDiscreteScheduler". */
  public String diffusersClass() {
    return diffusersClass;
  }

  /**
   * The kind with this name, A1111 name or alias, ignoring case and spaces: "DPM++ 2M Karras",
   * "dpm++ 2m karras" and "dpm++2m-karras" are one kind.
   *
   * @throws BadRequestException naming the valid names (Atelier's and A1111's) if there is none
   */
  public static SchedulerKind lookup(String name) {
    String wanted = key(name == null ? "" : name);
    if (!wanted.isEmpty()) {
      for (SchedulerKind kind : values()) {
        if (key(kind.cliName).equals(wanted) || key(kind.a1111Name).equals(wanted)) {
          return kind;
        }
        for (String alias : kind.aliases) {
          if (key(alias).equals(wanted)) {
            return kind;
          }
        }
      }
    }
    String missing = NOT_OFFERED.contains(wanted) ? NOT_OFFERED_WHY : "";
    throw new BadRequestException(
        "scheduler: "
            + missing
            + "expected one of "
            + names()
            + " or A1111's "
            + a1111Names()
            + ", found \""
            + name
            + "\"");
  }

  /** A1111's DPM++ SDE samplers, as lookup compares names (see {@link #NOT_OFFERED_WHY}). */
  private static final List<String> NOT_OFFERED =
      List.of("dpm++sde", "dpm++sdekarras", "k_dpmpp_sde", "k_dpmpp_sde_ka", "dpmpp_sde");

  private static final String NOT_OFFERED_WHY =
      "A1111's DPM++ SDE (Karras) is not offered (diffusers samples it with torchsde's Brownian"
          + " tree, which Atelier cannot reproduce exactly; DPM++ 2M SDE Karras is the nearest);"
          + " ";

  /** A name as lookup compares it: lower case, without white space. */
  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("\\s+", "");
  }

  /**
   * The kind a model's own scheduler config names (its {@code _class_name}), if Atelier has it:
   * DPMSolverMultistepScheduler is DPM++ 2M SDE when the config's algorithm_type is
   * sde-dpmsolver++, and DPMSolverMultistep, LMS and KDPM2 count as Karras when the config sets
   * use_karras_sigmas.
   */
  public static Optional<SchedulerKind> forConfig(SchedulerConfig config) {
    Optional<String> className = config.className();
    if (className.isEmpty()) {
      return Optional.empty();
    }
    boolean karras = config.bool("use_karras_sigmas").orElse(false);
    switch (className.get()) {
      case "DPMSolverMultistepScheduler" -> {
        boolean sde = config.string("algorithm_type").orElse("").equals("sde-dpmsolver++");
        return Optional.of(
            sde
                ? (karras ? DPMPP_2M_SDE_KARRAS : DPMPP_2M_SDE)
                : (karras ? DPMPP_2M_KARRAS : DPMPP_2M));
      }
      case "LMSDiscreteScheduler" -> {
        return Optional.of(karras ? LMS_KARRAS : LMS);
      }
      case "KDPM2DiscreteScheduler" -> {
        return Optional.of(karras ? DPM2_KARRAS : DPM2);
      }
      default -> {
        for (SchedulerKind kind : values()) {
          if (kind.diffusersClass.equals(className.get())) {
            return Optional.of(kind);
          }
        }
        return Optional.empty();
      }
    }
  }

  /** The CLI names of all kinds, in declaration order. */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    for (SchedulerKind kind : values()) {
      names.add(kind.cliName);
    }
    return names;
  }

  /** The A1111 names of all kinds, in declaration order. */
  public static List<String> a1111Names() {
    List<String> names = new ArrayList<>();
    for (SchedulerKind kind : values()) {
      names.add(kind.a1111Name);
    }
    return names;
  }

  /** The aliases {@link #lookup} also accepts besides the CLI and A1111 names. */
  public List<String> aliases() {
    return aliases;
  }

  @Override
  public String toString() {
    return cliName;
  }
}
