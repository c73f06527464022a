package dev.pipit.index;

import java.util.Arrays;

/** Every live code within a fixed radius; the limit never moves. */
final class RadiusCollector extends Collector {

  private long[] keys = new long[16];
  private int size;

  RadiusCollector(View view, int radius) {
    super(view, radius + 1);
  }

  @Override
  void accept(int dist, int ordinal) {
    add(key(dist, ordinal));
  }

  /** Adds a live candidate found out of ordinal order (multi-index hashing). */
  void add(long key) {
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
    }
    keys[size++] = key;
  }

  @Override
  long[] sortedKeys() {
    long[] sorted = Arrays.copyOf(keys, size);
    Arrays.sort(sorted);
    return sorted;
  }
}
