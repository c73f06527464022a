package dev.pipit.train;

import dev.pipit.encode.ImageDecoder;
import dev.pipit.encode.ImagePreprocessor;
import dev.pipit.encode.Preprocessing;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Random;

/**
 * The train-time augmentation of {@link BackboneMode#FULL}, the papers' training transform
 * (torchvision {@code RandomResizedCrop(side)} + {@code RandomHorizontalFlip()}): a box covering a
 * random 8–100 % of the image's area with a random aspect ratio in [3/4, 4/3] (log-uniform),
 * resized to {@code side×side}, mirrored with probability ½, then normalised as the serving
 * preprocessing is, so that training and serving inputs differ only in geometry. Every draw comes
 * from the caller's {@link Random}.
 */
public final class TrainAugmentation {

  private static final double MIN_AREA = 0.08;
  private static final double MAX_AREA = 1.0;
  private static final double MIN_RATIO = 3.0 / 4.0;
  private static final double MAX_RATIO = 4.0 / 3.0;
  private static final int ATTEMPTS = 10;

  /** A crop box in source pixels. */
  record Box(int x, int y, int width, int height) {}

  private final ImagePreprocessor resize;

  /**
   * @param serving the run's serving preprocessing; its crop side, normalisation and filter are
   *     kept
   */
  public TrainAugmentation(Preprocessing serving) {
    this.resize =
        new ImagePreprocessor(
            new Preprocessing(
                Preprocessing.ResizeMode.SQUARE,
                serving.crop(),
                serving.crop(),
                serving.normalization(),
                serving.resampling()));
  }

  /** Side of the square output. */
  public int side() {
    return resize.spec().crop();
  }

  /**
   * One augmented network input: {@code 3·side·side} floats, channel-major, as {@link
   * ImagePreprocessor}.
   */
  public float[] apply(BufferedImage image, Random random) {
    BufferedImage rgb = ImageDecoder.toIntRgb(image);
    Box box = cropBox(rgb.getWidth(), rgb.getHeight(), random);
    boolean flip = random.nextBoolean();
    float[] out = resize.apply(crop(rgb, box));
    if (flip) {
      flipHorizontally(out, side());
    }
    return out;
  }

  /**
   * The random resized crop's box: up to ten tries of a random area and aspect ratio that fits,
   * placed uniformly; if none fits, the centred box of the whole image clamped to the ratio range.
   */
  static Box cropBox(int width, int height, Random random) {
    double area = (double) width * height;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double target = area * (MIN_AREA + (MAX_AREA - MIN_AREA) * random.nextDouble());
      double ratio =
          Math.exp(
              Math.log(MIN_RATIO)
                  + (Math.log(MAX_RATIO) - Math.log(MIN_RATIO)) * random.nextDouble());
      int w = (int) Math.round(Math.sqrt(target * ratio));
      int h = (int) Math.round(Math.sqrt(target / ratio));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        return new Box(random.nextInt(width - w + 1), random.nextInt(height - h + 1), w, h);
      }
    }
    double ratio = (double) width / height;
    int w = width;
    int h = height;
    if (ratio < MIN_RATIO) {
      h = (int) Math.round(w / MIN_RATIO);
    } else if (ratio > MAX_RATIO) {
      w = (int) Math.round(h * MAX_RATIO);
    }
    return new Box((width - w) / 2, (height - h) / 2, w, h);
  }

  /** Mirrors a CHW image left to right, in place. */
  static void flipHorizontally(float[] chw, int side) {
    for (int row = 0; row < chw.length / side; row++) {
      for (int left = row * side, right = left + side - 1; left < right; left++, right--) {
        float t = chw[left];
        chw[left] = chw[right];
        chw[right] = t;
      }
    }
  }

  private static BufferedImage crop(BufferedImage rgb, Box box) {
    if (box.x() == 0
        && box.y() == 0
        && box.width() == rgb.getWidth()
        && box.height() == rgb.getHeight()) {
      return rgb;
    }
    int[] src = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
    BufferedImage out = new BufferedImage(box.width(), box.height(), BufferedImage.TYPE_INT_RGB);
    int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    for (int y = 0; y < box.height(); y++) {
      System.arraycopy(
          src, (box.y() + y) * rgb.getWidth() + box.x(), dst, y * box.width(), box.width());
    }
    return out;
  }
}
