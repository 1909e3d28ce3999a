package atelier.cli;

import atelier.AtelierHome;
import atelier.CancelToken;
import atelier.model.DownloadListener;
import atelier.model.ModelKind;
import atelier.model.ModelManifest;
import atelier.model.SessionSettings;
import atelier.model.Sizes;
import atelier.model.checkpoint.CheckpointImport;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code atelier models import FILE.safetensors}: a single-file checkpoint converted to an ONNX
 * model folder and installed (the {@code import} command's branch for checkpoint files).
 */
final class Checkpoints {
  private Checkpoints() {}

  /** Converts and installs; prints what was made and what was left out. */
  static int install(
      AtelierHome home,
      CheckpointImport.Request request,
      SessionSettings settings,
      boolean json,
      PrintWriter out,
      PrintWriter err) {
    DownloadListener bar =
        json ? DownloadListener.NONE : new DownloadBar(err, System.console() != null);
    CheckpointImport.Result r =
        CheckpointImport.run(
            Home.store(home),
            request,
            ModelsImportCommand.check(ModelKind.PIPELINE, settings),
            bar,
            CancelToken.NONE);
    ModelManifest m = r.manifest();
    ModelManifest.Conversion c = m.origin().conversion();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("manifest", m);
      out.println(ModelsCommand.JSON.valueToTree(doc));
    } else {
      out.println(
          "converted "
              + request.file()
              + " ("
              + r.plan().family().displayName()
              + ", told by "
              + c.familySource()
              + ") and installed "
              + m.id()
              + " ("
              + m.files().size()
              + " files, "
              + Sizes.human(m.totalSize())
              + ") into "
              + Home.store(home).folder(m.id()));
      out.println(
          "  "
              + c.keysUsed()
              + " weights converted"
              + (c.vae() != null ? " (VAE from " + c.vae() + ")" : "")
              + ", "
              + c.keysIgnored()
              + " keys ignored (EMA copies, noise schedule)"
              + (c.keysUnused().isEmpty() ? "" : ", " + c.keysUnused().size() + " unused"));
      if (!c.keysUnused().isEmpty()) {
        int n = Math.min(10, c.keysUnused().size());
        out.println(
            "  note: unused keys: "
                + String.join(", ", c.keysUnused().subList(0, n))
                + (c.keysUnused().size() > n
                    ? " and " + (c.keysUnused().size() - n) + " more"
                    : ""));
      }
    }
    out.flush();
    return 0;
  }
}
