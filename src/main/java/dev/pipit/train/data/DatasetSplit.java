package dev.pipit.train.data;

import java.awt.image.BufferedImage;
import java.io.IOException;

/**
 * One split (train or test) of a single-label dataset: an indexed list of images with class labels.
 * The order is fixed by the dataset's own list files and never shuffled here; samplers shuffle
 * indices.
 */
public interface DatasetSplit {

  /** Number of images. */
  int size();

  /** Class label of image {@code i}, in {@code 0 .. classes-1}. */
  int label(int i);

  /** A stable identifier of image {@code i} (a relative path or the dataset's own image id). */
  String id(int i);

  /**
   * Decodes image {@code i}. File-backed splits decode on every call (no cache), so callers that
   * need an image twice should keep it.
   *
   * @throws IOException if the file cannot be read or decoded
   */
  BufferedImage image(int i) throws IOException;

  /** All labels, in index order (a fresh array). */
  default int[] labels() {
    int[] labels = new int[size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = label(i);
    }
    return labels;
  }
}
