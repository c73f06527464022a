package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Panama kernel offers exactly what the scalar kernel offers, and both match {@link
 * Long#bitCount} per code, for awkward word counts, unaligned ranges, all-zero and all-one fills
 * (Lucene's {@code TestVectorUtilSupport} pattern).
 */
class KernelTests {

  private static final HammingKernel SCALAR = KernelProvider.scalar();
  private static final HammingKernel PANAMA = KernelProvider.panamaOrNull();

  /** Records every offer; with limit {@code Integer.MAX_VALUE} that is every code. */
  private static final class Recorder extends Collector {
    final List<Long> keys = new ArrayList<>();

    Recorder(int limit) {
      super(null, limit);
    }

    @Override
    void accept(int dist, int ordinal) {
      keys.add(key(dist, ordinal));
    }

    @Override
    long[] sortedKeys() {
      return keys.stream().mapToLong(Long::longValue).toArray();
    }
  }

  @Test
  void panamaIsLoadedWithTheVectorModule() {
    // Surefire runs with --add-modules jdk.incubator.vector; without it this documents the
    // fallback.
    assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
    assertThat(PANAMA).isNotNull();
    assertThat(KernelProvider.kernel().name()).startsWith("panama-");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 7, 9, 16, 17})
  void kernelsAgreeOnEveryDistance(int words) {
    Random rnd = new Random(words);
    for (String fill : List.of("random", "zeros", "ones", "sparse")) {
      int n = 203;
      long[][] plain = new long[n][words];
      for (int i = 0; i < n; i++) {
        for (int w = 0; w < words; w++) {
          plain[i][w] =
              switch (fill) {
                case "zeros" -> 0L;
                case "ones" -> -1L;
                case "sparse" -> 1L << rnd.nextInt(64);
                default -> rnd.nextLong();
              };
        }
      }
      // Chunks of 32 codes: scans cross chunk boundaries at every offset of the vector bodies.
      LongChunks codes = chunks(plain, words, fill.equals("random") ? 5 : LongChunks.DEFAULT_SHIFT);
      long[] query = fill.equals("ones") ? new long[words] : rnd.longs(words).toArray();
      for (int trial = 0; trial < 30; trial++) {
        int from = rnd.nextInt(n);
        int to = from + rnd.nextInt(n - from + 1);
        long[] expected = new long[to - from];
        for (int i = from; i < to; i++) {
          int d = 0;
          for (int w = 0; w < words; w++) {
            d += Long.bitCount(plain[i][w] ^ query[w]);
          }
          expected[i - from] = Collector.key(d, i);
        }
        assertThat(offers(SCALAR, codes, words, query, from, to, Integer.MAX_VALUE))
            .containsExactly(expected);
        if (PANAMA != null) {
          assertThat(offers(PANAMA, codes, words, query, from, to, Integer.MAX_VALUE))
              .containsExactly(expected);
          int limit = 32 * words;
          long[] filtered = Arrays.stream(expected).filter(k -> (k >>> 32) < limit).toArray();
          assertThat(offers(PANAMA, codes, words, query, from, to, limit))
              .containsExactly(filtered);
          assertThat(offers(SCALAR, codes, words, query, from, to, limit))
              .containsExactly(filtered);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void batchedScanOffersWhatSingleScansOffer(int words) {
    Random rnd = new Random(7 + words);
    int n = 40_000; // more than one batch tile, and several chunks of 4,096 codes
    long[][] plain = new long[n][];
    for (int i = 0; i < n; i++) {
      plain[i] = rnd.longs(words).toArray();
    }
    LongChunks codes = chunks(plain, words, 12);
    long[][] queries = new long[13][]; // a group of eight, one of four, one left over
    for (int q = 0; q < queries.length; q++) {
      queries[q] = rnd.longs(words).toArray();
    }
    // the machine's choice, and the popcount bodies (the sign test) whatever this CPU chose
    List<HammingKernel> kernels =
        PANAMA == null ? List.of(SCALAR) : List.of(SCALAR, PANAMA, new PanamaKernel(false));
    for (HammingKernel kernel : kernels) {
      Collector[] batched = new Collector[queries.length];
      for (int q = 0; q < queries.length; q++) {
        batched[q] = new Recorder(20 * words);
      }
      kernel.scanBatch(codes, queries, 3, n - 5, batched);
      for (int q = 0; q < queries.length; q++) {
        assertThat(batched[q].sortedKeys())
            .as(kernel.name() + " query " + q)
            .containsExactly(offers(SCALAR, codes, words, queries[q], 3, n - 5, 20 * words));
      }
    }
  }

  /**
   * The bit-sliced batch path against the scalar kernel: short codes (zero high planes), every
   * limit around the counter's bit boundaries, all-zero and all-one fills, unaligned ranges over
   * several tiles, queries narrower than the codes (the batch chooses whether to seed the counters
   * from the queries' width, each tile's loop from its own); lengths with and without seed triples.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4, 7, 12, 13, 18, 24, 31, 32, 40, 48, 54, 61, 63, 64})
  void bitSlicedBatchOffersWhatTheScalarKernelOffers(int bits) {
    assumeTrue(PANAMA != null && BitSlicedBatch.supported());
    HammingKernel bitSliced = new PanamaKernel(true);
    Random rnd = new Random(bits);
    long tail = bits == 64 ? -1L : (1L << bits) - 1;
    int n = 3 * BitSlicedBatch.TILE + 77;
    for (String fill : List.of("random", "zeros", "ones", "clustered", "narrow queries")) {
      long centre = rnd.nextLong() & tail;
      long[][] plain = new long[n][1];
      for (int i = 0; i < n; i++) {
        plain[i][0] =
            tail
                & switch (fill) {
                  case "zeros" -> 0L;
                  case "ones" -> -1L;
                  case "clustered" ->
                      centre ^ (1L << rnd.nextInt(bits)) ^ (1L << rnd.nextInt(bits));
                  default -> rnd.nextLong();
                };
      }
      // Chunks of 512 codes: tiles start at every offset from a chunk's start.
      LongChunks codes = chunks(plain, 1, fill.equals("random") ? 9 : LongChunks.DEFAULT_SHIFT);
      long[][] queries = new long[BitSlicedBatch.MIN_QUERIES + 3][];
      for (int q = 0; q < queries.length; q++) {
        long width = fill.equals("narrow queries") ? tail >>> (bits + 1) / 2 : tail;
        queries[q] =
            new long[] {width & (q == 0 ? centre : q == 1 ? ~0L : q == 2 ? 0L : rnd.nextLong())};
      }
      for (int limit :
          new int[] {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, Integer.MAX_VALUE}) {
        int from = rnd.nextInt(40);
        int to = n - rnd.nextInt(40);
        Collector[] batched = new Collector[queries.length];
        for (int q = 0; q < queries.length; q++) {
          batched[q] = new Recorder(limit);
        }
        bitSliced.scanBatch(codes, queries, from, to, batched);
        for (int q = 0; q < queries.length; q++) {
          assertThat(batched[q].sortedKeys())
              .as(fill + " limit " + limit + " query " + q)
              .containsExactly(offers(SCALAR, codes, 1, queries[q], from, to, limit));
        }
      }
    }
  }

  private static long[] offers(
      HammingKernel kernel,
      LongChunks codes,
      int words,
      long[] query,
      int from,
      int to,
      int limit) {
    Recorder recorder = new Recorder(limit);
    kernel.scan(codes, query, from, to, recorder);
    return recorder.sortedKeys();
  }

  /** Off-heap chunks of {@code 2^shift} codes holding {@code plain}. */
  static LongChunks chunks(long[][] plain, int words, int shift) {
    int capacity = (plain.length + CodeLayout.BLOCK - 1) & -CodeLayout.BLOCK;
    LongChunks codes = LongChunks.allocate(shift, words, capacity);
    for (int i = 0; i < plain.length; i++) {
      codes.store(i, plain[i]);
    }
    return codes;
  }
}
