package dev.pipit.train.data;

import java.awt.image.BufferedImage;
import java.io.IOException;

/** A view of some images of another split, by index, in the given order. */
final class SubsetSplit implements DatasetSplit {

  private final DatasetSplit base;
  private final int[] indices;

  SubsetSplit(DatasetSplit base, int[] indices) {
    this.base = base;
    this.indices = indices.clone();
  }

  @Override
  public int size() {
    return indices.length;
  }

  @Override
  public int label(int i) {
    return base.label(indices[i]);
  }

  @Override
  public String id(int i) {
    return base.id(indices[i]);
  }

  @Override
  public BufferedImage image(int i) throws IOException {
    return base.image(indices[i]);
  }
}
