package dev.pipit.train.data;

import java.util.Arrays;

/**
 * Deterministic, class-balanced subsets, for CPU-sized runs of the protocols: the first {@code n}
 * images of each class in the split's own order. No randomness, so two runs (and two machines) see
 * the same images, and the subset of a larger {@code n} contains that of a smaller one.
 */
public final class Subsets {

  private Subsets() {}

  /**
   * The first {@code perClass} images of every class, kept in the split's order. A class with fewer
   * images contributes all it has.
   *
   * @param perClass images per class; {@code <= 0} means the whole split (returned as is)
   */
  public static DatasetSplit firstPerClass(DatasetSplit split, int perClass) {
    if (perClass <= 0) {
      return split;
    }
    return new SubsetSplit(split, firstPerClassIndices(split, perClass));
  }

  /**
   * Ascending indices of the first {@code perClass} images of every class ({@code <= 0}: all
   * indices).
   */
  public static int[] firstPerClassIndices(DatasetSplit split, int perClass) {
    if (perClass <= 0) {
      int[] all = new int[split.size()];
      Arrays.setAll(all, i -> i);
      return all;
    }
    int max = 0;
    for (int i = 0; i < split.size(); i++) {
      max = Math.max(max, split.label(i));
    }
    int[] taken = new int[max + 1];
    int[] keep = new int[split.size()];
    int n = 0;
    for (int i = 0; i < split.size(); i++) {
      int label = split.label(i);
      if (taken[label] < perClass) {
        taken[label]++;
        keep[n++] = i;
      }
    }
    return Arrays.copyOf(keep, n);
  }

  /** The split restricted to the given indices, in that order. */
  public static DatasetSplit of(DatasetSplit split, int... indices) {
    for (int index : indices) {
      if (index < 0 || index >= split.size()) {
        throw new IndexOutOfBoundsException("index " + index + " of a split of " + split.size());
      }
    }
    return new SubsetSplit(split, indices);
  }
}
