package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bit-sliced filter itself, not only the search results: the exact distance check after the
 * filter hides a filter that lets too many codes through (a miscounted seed or carry only costs
 * speed there), so this test asks for exactly the codes of the tile whose distance is below the
 * limit.
 */
class BitSlicedBatchTests {

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4, 7, 12, 13, 18, 24, 31, 32, 40, 48, 54, 61, 63, 64})
  void theFilterFlagsExactlyTheCodesBelowTheLimit(int bits) {
    assumeTrue(BitSlicedBatch.supported());
    Random rnd = new Random(bits * 7919L);
    long tail = bits == 64 ? -1L : (1L << bits) - 1;
    long[] codes = new long[BitSlicedBatch.TILE];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = rnd.nextLong() & tail;
    }
    for (boolean narrowQueries : new boolean[] {false, true}) {
      long width = narrowQueries ? tail >>> (bits + 1) / 2 : tail;
      long[][] queries = new long[BitSlicedBatch.MIN_QUERIES][];
      long queryBits = 0;
      for (int q = 0; q < queries.length; q++) {
        queries[q] = new long[] {q == 0 ? codes[5] & width : rnd.nextLong() & width};
        queryBits |= queries[q][0];
      }
      int[] picks = BitSlicedBatch.picks(queries);
      long[] planes = BitSlicedBatch.newPlanes();
      long[] variants = BitSlicedBatch.newVariants();
      int significant = BitSlicedBatch.prepareTile(codes, 0, queryBits, planes, variants);
      int steps = BitSlicedBatch.steps(significant);
      for (int q = 0; q < queries.length; q++) {
        for (int limit = 1; limit <= significant; limit++) {
          long[] hits = new long[4];
          boolean any =
              BitSlicedBatch.candidates(
                  variants, picks, q * BitSlicedBatch.PICKS, steps, limit, hits);
          long[] expected = new long[4];
          for (int i = 0; i < codes.length; i++) {
            if (Long.bitCount(codes[i] ^ queries[q][0]) < limit) {
              expected[i % 4] |= 1L << (i / 4); // code 4r + m is bit r of lane m
            }
          }
          String what =
              bits
                  + " bits, query "
                  + q
                  + ", limit "
                  + limit
                  + (narrowQueries ? ", narrow queries" : "");
          assertThat(any)
              .as(what)
              .isEqualTo(
                  expected[0] != 0 || expected[1] != 0 || expected[2] != 0 || expected[3] != 0);
          if (any) {
            assertThat(hits).as(what).containsExactly(expected);
          }
        }
      }
    }
  }
}
