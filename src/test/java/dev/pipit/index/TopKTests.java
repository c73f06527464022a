package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The heap and the counting selection keep the k smallest (distance, ordinal) keys of a sequential
 * scan.
 */
class TopKTests {

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 10, 33, 100, 1000, 5000})
  void heapAndCountingKeepTheKSmallestKeys(int k) {
    Random rnd = new Random(k);
    int bits = 24;
    int n = 3000;
    int[] dists = new int[n];
    for (int i = 0; i < n; i++) {
      dists[i] = rnd.nextInt(bits + 1) / (1 + rnd.nextInt(3)); // many ties
    }
    long[] all = new long[n];
    for (int i = 0; i < n; i++) {
      all[i] = Collector.key(dists[i], i);
    }
    Arrays.sort(all);
    long[] expected = Arrays.copyOf(all, Math.min(k, n));

    for (Collector c : new Collector[] {new TopKHeap(null, k), new CountingTopK(null, k, bits)}) {
      for (int i = 0; i < n; i++) {
        if (dists[i] < c.limit) { // as the kernels do
          c.offer(dists[i], i);
        }
      }
      assertThat(c.sortedKeys()).as(c.getClass().getSimpleName()).containsExactly(expected);
    }
  }
}
