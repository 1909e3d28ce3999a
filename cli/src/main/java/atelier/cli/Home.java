package atelier.cli;

import atelier.AtelierHome;
import atelier.model.Device;
import atelier.model.ModelCatalog;
import atelier.model.ModelStore;
import atelier.model.SessionSettings;
import atelier.model.UserConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The data folder a command works in: {@code --home DIR}, else the environment's. */
final class Home {
  private Home() {}

  static AtelierHome of(CommandSpec spec) {
    CommandLine c = spec.commandLine();
    while (c.getParent() != null) {
      c = c.getParent();
    }
    if (c.getCommand() instanceof Main m && m.home != null) {
      return AtelierHome.at(m.home);
    }
    return AtelierHome.fromEnvironment();
  }

  static UserConfig config(AtelierHome home) {
    return UserConfig.read(home.configFile());
  }

  static ModelCatalog catalog(AtelierHome home) {
    return ModelCatalog.load(home);
  }

  static ModelStore store(AtelierHome home) {
    return ModelStore.of(home);
  }

  /**
   * Session settings for checking or converting a model: {@code device} when given (a command's
   * {@code --device}), else the config's device, else the CPU.
   */
  static SessionSettings sessionSettings(AtelierHome home, String device) {
    String dev = device != null ? device : config(home).device();
    return new SessionSettings(dev == null ? Device.CPU : Device.lookup(dev), 0, 0);
  }
}
