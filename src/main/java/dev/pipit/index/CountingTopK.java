package dev.pipit.index;

import java.util.Arrays;

/**
 * Top-k for large k by counting, as faiss's {@code hammings_knn_mc}: distances are small integers
 * ({@code <= bits}), so candidates go into one bucket per distance and no heap is needed.
 *
 * <p>Invariant: {@link #limit} is the smallest distance {@code t} with at least k kept candidates
 * at distance {@code <= t}. A later code at distance {@code >= t} is worse than k kept ones (equal
 * distance loses on ordinal), so the scan skips it. Requires offers in ascending ordinal order.
 */
final class CountingTopK extends Collector {

  private final int k;
  private final int[][] buckets;
  private final int[] sizes;
  private int kept; // candidates kept in buckets 0..min(limit, bits)

  CountingTopK(View view, int k, int bits) {
    super(view, Integer.MAX_VALUE);
    this.k = k;
    this.buckets = new int[bits + 1][];
    this.sizes = new int[bits + 1];
  }

  @Override
  void accept(int dist, int ordinal) {
    int[] bucket = buckets[dist];
    if (bucket == null) {
      bucket = buckets[dist] = new int[Math.min(k, 16)];
    } else if (sizes[dist] == bucket.length) {
      bucket = buckets[dist] = Arrays.copyOf(bucket, Math.min(k, bucket.length * 2));
    }
    bucket[sizes[dist]++] = ordinal;
    kept++;
    if (kept < k) {
      return;
    }
    // Walk the limit down while the buckets below it already hold k candidates.
    int t = Math.min(limit, sizes.length - 1);
    while (t > 0 && kept - sizes[t] >= k) {
      kept -= sizes[t];
      sizes[t] = 0;
      t--;
    }
    limit = t;
  }

  @Override
  long[] sortedKeys() {
    int n = Math.min(k, kept);
    long[] keys = new long[n];
    int i = 0;
    for (int d = 0; d < sizes.length && i < n; d++) {
      for (int j = 0; j < sizes[d] && i < n; j++) {
        keys[i++] = key(d, buckets[d][j]);
      }
    }
    return keys;
  }
}
