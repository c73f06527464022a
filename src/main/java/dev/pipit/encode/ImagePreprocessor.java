package dev.pipit.encode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Objects;

/**
 * Applies a {@link Preprocessing} to decoded images: RGB samples → resize → centre crop → normalise
 * → float CHW. Stateless and thread-safe; pure Java, so training evaluation and serving compute
 * bit-identical inputs on any device.
 */
public final class ImagePreprocessor {

  private final Preprocessing spec;

  /** Creates a preprocessor for {@code spec}. */
  public ImagePreprocessor(Preprocessing spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
  }

  /** The spec applied. */
  public Preprocessing spec() {
    return spec;
  }

  /**
   * Preprocesses one image.
   *
   * @param image an RGB image as {@link ImageDecoder} returns ({@code TYPE_INT_RGB}); other types
   *     are converted first
   * @return {@code 3·crop·crop} floats, channel-major (C, H, W), channel order per the
   *     normalisation
   */
  public float[] apply(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] rgb = pixels(image);
    int outW;
    int outH;
    if (spec.resizeMode() == Preprocessing.ResizeMode.SHORTER_SIDE) {
      // torchvision: the long side is int(size * long / short), truncated
      if (w <= h) {
        outW = spec.resize();
        outH = (int) ((long) spec.resize() * h / w);
      } else {
        outH = spec.resize();
        outW = (int) ((long) spec.resize() * w / h);
      }
    } else {
      outW = spec.resize();
      outH = spec.resize();
    }
    int crop = spec.crop();
    // torchvision CenterCrop: int(round((size - crop) / 2)), Python rounding (half to even)
    int x0 = (int) Math.rint((outW - crop) / 2.0);
    int y0 = (int) Math.rint((outH - crop) / 2.0);
    float[] out;
    if (outW == w && outH == h) {
      out = crop(rgb, w, x0, y0, crop);
    } else {
      out = Resizer.resample(rgb, w, h, outW, outH, x0, y0, crop, crop, spec.resampling());
    }
    spec.normalization().apply(out, crop * crop);
    return out;
  }

  /**
   * Stacks preprocessed images into one (B, 3, crop, crop) float32 array created in {@code
   * manager}.
   *
   * @throws IllegalArgumentException if the list is empty or an image has the wrong size
   */
  public NDArray stack(List<float[]> images, NDManager manager) {
    if (images.isEmpty()) {
      throw new IllegalArgumentException("cannot stack an empty batch");
    }
    int n = spec.floatsPerImage();
    FloatBuffer buffer = FloatBuffer.allocate(images.size() * n);
    for (float[] image : images) {
      if (image.length != n) {
        throw new IllegalArgumentException("image has " + image.length + " floats, expected " + n);
      }
      buffer.put(image);
    }
    buffer.flip();
    return manager.create(buffer, new Shape(images.size(), 3, spec.crop(), spec.crop()));
  }

  /** The packed 0xRRGGBB pixels of the image, converted to RGB first if needed. */
  private static int[] pixels(BufferedImage image) {
    BufferedImage rgb = ImageDecoder.toIntRgb(image);
    return ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
  }

  private static float[] crop(int[] rgb, int w, int x0, int y0, int crop) {
    int n = crop * crop;
    float[] out = new float[3 * n];
    for (int y = 0; y < crop; y++) {
      int src = (y0 + y) * w + x0;
      int dst = y * crop;
      for (int x = 0; x < crop; x++) {
        int p = rgb[src + x];
        out[dst + x] = (p >>> 16) & 0xff;
        out[n + dst + x] = (p >>> 8) & 0xff;
        out[2 * n + dst + x] = p & 0xff;
      }
    }
    return out;
  }
}
