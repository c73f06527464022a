package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The property behind issue item 2: every search path (scalar and SIMD kernel, one or several
 * threads, batched, multi-index hashing) returns exactly the brute-force answer, ordered by
 * (distance, insertion order), on random and clustered codes of many lengths, with tombstones and
 * upserts in the gallery.
 */
class SearchEquivalenceTests {

  private static ExecutorService pool;

  @BeforeAll
  static void startPool() {
    pool = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stopPool() {
    pool.shutdownNow();
  }

  static Stream<Arguments> galleries() {
    List<Arguments> cases = new ArrayList<>();
    for (int bits : new int[] {1, 12, 24, 32, 48, 64, 65, 128, 256, 1024}) {
      cases.add(Arguments.of(bits, "random"));
      cases.add(Arguments.of(bits, "clustered"));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} bits, {1}")
  @MethodSource("galleries")
  void everyPathReturnsTheBruteForceAnswer(int bits, String shape) {
    Random rnd = new Random(31L * bits + shape.hashCode());
    int n = bits >= 512 ? 900 : 2500;
    List<Code> initial = TestCodes.gallery(bits, n, shape.equals("clustered") ? 25 : 0, 0.05, rnd);

    // Build through the same rules as live writes: ~10 % deletes, ~5 % upserts (new insertions).
    // Tiny capacity: exercises growth; clustered galleries in chunks of 512 codes, so that scans,
    // their thread splits and the batch tiles cross chunk boundaries.
    Generation generation =
        new Generation(bits, 16, 0, shape.equals("clustered") ? 9 : LongChunks.DEFAULT_SHIFT);
    List<Code> byOrdinal = new ArrayList<>();
    long seq = 0;
    for (int i = 0; i < n; i++) {
      generation.put(++seq, "e" + i, initial.get(i).words(), null);
      byOrdinal.add(initial.get(i));
    }
    boolean[] dead = new boolean[n + n / 10];
    for (int i = 0; i < n; i++) {
      int roll = rnd.nextInt(100);
      String id = "e" + i;
      if (roll < 10) {
        dead[generation.ordinals.get(id)] = true;
        generation.remove(++seq, id);
      } else if (roll < 15 && byOrdinal.size() < dead.length) {
        dead[generation.ordinals.get(id)] = true;
        Code moved = TestCodes.noisy(initial.get(i), 0.1, rnd);
        generation.put(++seq, id, moved.words(), null);
        byOrdinal.add(moved);
      }
    }
    View view = generation.publish(seq);

    List<Code> queries = new ArrayList<>();
    for (int q = 0; q < 11; q++) { // enough for the bit-sliced batch path
      queries.add(
          q % 2 == 0
              ? TestCodes.noisy(initial.get(rnd.nextInt(n)), 0.03, rnd)
              : TestCodes.random(bits, rnd));
    }
    queries.add(initial.get(0)); // an exact (deleted or live) match
    long[][] packed = queries.stream().map(Code::words).toArray(long[][]::new);
    boolean[] deadByOrdinal = Arrays.copyOf(dead, byOrdinal.size());
    long[][] reference =
        queries.stream()
            .map(q -> TestCodes.naiveAll(byOrdinal, deadByOrdinal, q))
            .toArray(long[][]::new);

    List<HammingKernel> kernels = new ArrayList<>(List.of(KernelProvider.scalar()));
    if (KernelProvider.panamaOrNull() != null) {
      kernels.add(KernelProvider.panamaOrNull());
      // Both batched paths of one-word codes: bit-sliced tiles and the popcount bodies.
      kernels.add(new PanamaKernel(true));
      kernels.add(new PanamaKernel(false));
    }
    for (HammingKernel kernel : kernels) {
      for (SearchStrategy strategy : List.of(SearchStrategy.LINEAR, SearchStrategy.MIH)) {
        // Multi-index hashing runs on the calling thread; only the scan is split over threads.
        for (int threads : strategy == SearchStrategy.MIH ? new int[] {1} : new int[] {1, 3}) {
          MihMaintainer mih = new MihMaintainer(Runnable::run, () -> view);
          Searcher searcher = new Searcher(kernel, strategy, pool, threads, mih, 64);
          String path =
              kernel.name()
                  + "#"
                  + kernels.indexOf(kernel)
                  + "/"
                  + strategy
                  + "/"
                  + threads
                  + " threads";
          for (int k : new int[] {1, 10, 100, n + 50}) {
            long[][] batched = searcher.knnBatch(view, packed, k);
            for (int q = 0; q < queries.size(); q++) {
              long[] expected = TestCodes.firstK(reference[q], k);
              assertThat(searcher.knn(view, packed[q], k))
                  .as(path + " k=" + k + " q=" + q)
                  .containsExactly(expected);
              assertThat(batched[q])
                  .as(path + " batched k=" + k + " q=" + q)
                  .containsExactly(expected);
            }
          }
          for (int radius : new int[] {0, bits / 8, bits / 4}) {
            for (int q = 0; q < queries.size(); q++) {
              assertThat(searcher.radius(view, packed[q], radius))
                  .as(path + " radius=" + radius)
                  .containsExactly(TestCodes.withinRadius(reference[q], radius));
            }
          }
        }
      }
    }
  }
}
