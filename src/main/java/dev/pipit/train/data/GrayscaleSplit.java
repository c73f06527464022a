package dev.pipit.train.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/** An in-memory split of equally sized 8-bit grayscale images (Fashion-MNIST and the like). */
public final class GrayscaleSplit implements DatasetSplit {

  private final String prefix;
  private final int rows;
  private final int cols;
  private final byte[] pixels;
  private final int[] labels;
  private final int[] sourceIndex;

  /**
   * @param prefix id prefix; image {@code i} has id {@code prefix + "/" + sourceIndex[i]}
   * @param rows image height
   * @param cols image width
   * @param pixels row-major pixels of all images, {@code rows*cols} bytes each
   * @param labels one label per image
   * @param sourceIndex position of each image in the original file (kept in ids after subsetting)
   */
  GrayscaleSplit(
      String prefix, int rows, int cols, byte[] pixels, int[] labels, int[] sourceIndex) {
    if ((long) rows * cols * labels.length != pixels.length
        || sourceIndex.length != labels.length) {
      throw new IllegalArgumentException("pixel buffer does not hold " + labels.length + " images");
    }
    this.prefix = prefix;
    this.rows = rows;
    this.cols = cols;
    this.pixels = pixels;
    this.labels = labels;
    this.sourceIndex = sourceIndex;
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int label(int i) {
    return labels[i];
  }

  @Override
  public String id(int i) {
    return prefix + "/" + sourceIndex[i];
  }

  /** Image height in pixels. */
  public int rows() {
    return rows;
  }

  /** Image width in pixels. */
  public int cols() {
    return cols;
  }

  /** A copy of the raw pixels of image {@code i}, row-major, 0 = black. */
  public byte[] pixels(int i) {
    byte[] out = new byte[rows * cols];
    System.arraycopy(pixels, i * rows * cols, out, 0, out.length);
    return out;
  }

  @Override
  public BufferedImage image(int i) {
    BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
    byte[] target = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    System.arraycopy(pixels, i * rows * cols, target, 0, rows * cols);
    return image;
  }

  @Override
  public int[] labels() {
    return labels.clone();
  }
}
