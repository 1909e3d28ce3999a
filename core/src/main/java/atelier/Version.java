package atelier;

/** Atelier's version, as recorded in every image it makes. */
public final class Version {
  /** The version number. */
  public static final String NUMBER = "0.1.0";

  /** The software name and version written into image metadata. */
  public static final String SOFTWARE = "atelier " + NUMBER;

  private Version() {}
}
