package atelier.jobs;

import atelier.BadRequestException;
import atelier.image.ImageInput;
import atelier.image.ImageLimits;
import atelier.model.ModelHasher;
import atelier.pipeline.ControlInput;
import atelier.pipeline.ControlPreprocessor;
import atelier.pipeline.Controls;
import atelier.pipeline.InitImage;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A generate job's ControlNets made ready for the pipeline: each control image read under the image
 * limits and preprocessed, each ControlNet reference resolved (a slot number stays a slot of a
 * fused UNet; anything else is a folder, graph, installed id or catalog id, through the {@link
 * ModelResolver}).
 */
final class JobControls {
  private JobControls() {}

  static Controls resolve(GenerateSpec spec, ModelResolver models) {
    if (spec.controls() == null) {
      return null;
    }
    List<ControlInput> inputs = new ArrayList<>();
    for (ControlSpec c : spec.controls()) {
      BufferedImage img;
      byte[] bytes;
      String source;
      if (c.image() != null) {
        ImageInput.Decoded read =
            ImageInput.readWithBytes("control image", Path.of(c.image()), ImageLimits.current());
        img = read.image();
        bytes = read.bytes();
        source = c.image();
      } else {
        source = "uploaded control image";
        img =
            ImageInput.decode(
                "control image", Path.of(source), c.imageData(), ImageLimits.current());
        bytes = c.imageData();
      }
      String sha = ModelHasher.sha256Of(bytes);
      if (c.imageSha256() != null && !c.imageSha256().equals(sha)) {
        throw new BadRequestException(
            "control image "
                + source
                + ": expected the control image with SHA-256 "
                + c.imageSha256()
                + " (as recorded), found "
                + sha);
      }
      String preprocess = null;
      if (c.preprocess() != null) {
        ControlPreprocessor pre = ControlPreprocessor.parse(c.preprocess());
        img = pre.apply(img);
        source = source + " [" + pre.label() + "]";
        preprocess = pre.spec();
      }
      InitImage image = new InitImage(img, source, sha);
      boolean slot = c.model().matches("[1-9][0-9]?");
      Path path = slot ? null : models.resolveReference(c.model());
      inputs.add(
          new ControlInput(
              c.model(),
              path,
              slot ? Integer.parseInt(c.model()) : 0,
              image,
              c.scale() == null ? 1.0 : c.scale(),
              c.start() == null ? 0.0 : c.start(),
              c.end() == null ? 1.0 : c.end(),
              c.image(),
              preprocess));
    }
    return new Controls(inputs, Boolean.TRUE.equals(spec.guessMode()));
  }
}
