package dev.pipit.index;

/**
 * Receives candidate codes from a scan. Kernels offer a code only when its distance is below {@link
 * #limit}, so a collector that tightens the limit lets the scan skip almost everything.
 *
 * <p>Visibility (tombstones, snapshot isolation) is checked here, on the rare offers, rather than
 * in the scan loop.
 */
abstract class Collector {

  /** Offers need {@code dist < limit}; read directly by the kernels' hot loops. */
  int limit;

  private final View view;

  Collector(View view, int limit) {
    this.view = view;
    this.limit = limit;
  }

  /** Called by a sequential scan (ascending ordinals) when {@code dist < limit}. */
  final void offer(int dist, int ordinal) {
    if (view == null || view.isLive(ordinal)) {
      accept(dist, ordinal);
    }
  }

  /** Adds a live candidate; may lower {@link #limit}. */
  abstract void accept(int dist, int ordinal);

  /** The collected {@code (dist << 32) | ordinal} keys, ascending. */
  abstract long[] sortedKeys();

  static long key(int dist, int ordinal) {
    return ((long) dist << 32) | ordinal;
  }

  static int distOf(long key) {
    return (int) (key >>> 32);
  }

  static int ordinalOf(long key) {
    return (int) key;
  }
}
