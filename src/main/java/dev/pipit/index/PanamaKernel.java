package dev.pipit.index;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD kernel on the JDK Vector API: {@code LongVector} XOR, {@code lanewise(BIT_COUNT)}, add, then a
 * compare against the collector's limit so that only the rare candidate leaves the vector loop. Only
 * loaded when {@link KernelProvider} has found the {@code jdk.incubator.vector} module.
 */
final class PanamaKernel implements HammingKernel {

  private static final VectorSpecies<Long> SPECIES = LongVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  private final ScalarKernel scalar = new ScalarKernel();

  /** Whether this platform's preferred species fits the blocked layout (2, 4 or 8 lanes). */
  static boolean supported() {
    return LANES >= 2 && CodeLayout.BLOCK % LANES == 0;
  }

  @Override
  public String name() {
    return "panama-" + SPECIES.vectorBitSize();
  }

  @Override
  public void scan(long[] codes, int words, long[] query, int from, int to, Collector out) {
    if (to - from < CodeLayout.BLOCK * 2) {
      scalar.scan(codes, words, query, from, to, out);
      return;
    }
    // Scalar head and tail up to block boundaries; whole blocks in the vector body.
    int first = Math.min(to, (from + CodeLayout.BLOCK - 1) & -CodeLayout.BLOCK);
    int last = Math.max(first, to & -CodeLayout.BLOCK);
    scalar.scan(codes, words, query, from, first, out);
    int done = switch (words) {
      case 1 -> scan1Body(codes, query[0], first, last, out);
      case 2 -> scan2Body(codes, query[0], query[1], first, last, out);
      default -> scanNBody(codes, words, query, first, last, out);
    };
    scalar.scan(codes, words, query, done, to, out);
  }

  /** Returns the first ordinal not scanned (the body takes whole pairs of vectors). */
  private static int scan1Body(long[] codes, long q, int from, int to, Collector out) {
    LongVector qv = LongVector.broadcast(SPECIES, q);
    int limit = out.limit;
    int end = from + (to - from) / (2 * LANES) * (2 * LANES);
    // Two vectors per iteration, one branch: the loop is load-bound and the branch almost never taken.
    for (int i = from; i < end; i += 2 * LANES) {
      LongVector d0 = LongVector.fromArray(SPECIES, codes, i).lanewise(VectorOperators.XOR, qv)
          .lanewise(VectorOperators.BIT_COUNT);
      LongVector d1 = LongVector.fromArray(SPECIES, codes, i + LANES)
          .lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
      VectorMask<Long> hit = d0.lt(limit).or(d1.lt(limit));
      if (hit.anyTrue()) {
        limit = offerLanes(codes, 1, new long[] {q}, i, 2 * LANES, out);
      }
    }
    return end;
  }

  private static int scan2Body(long[] codes, long q0, long q1, int from, int to, Collector out) {
    LongVector qv0 = LongVector.broadcast(SPECIES, q0);
    LongVector qv1 = LongVector.broadcast(SPECIES, q1);
    int limit = out.limit;
    for (int i = from; i < to; i += CodeLayout.BLOCK) {
      int base = i << 1; // block start: word 0 of 8 codes, then word 1 of the same 8
      for (int lane = 0; lane < CodeLayout.BLOCK; lane += LANES) {
        LongVector d = LongVector.fromArray(SPECIES, codes, base + lane).lanewise(VectorOperators.XOR, qv0)
            .lanewise(VectorOperators.BIT_COUNT)
            .add(LongVector.fromArray(SPECIES, codes, base + 8 + lane).lanewise(VectorOperators.XOR, qv1)
                .lanewise(VectorOperators.BIT_COUNT));
        if (d.lt(limit).anyTrue()) {
          limit = offerLanes(codes, 2, new long[] {q0, q1}, i + lane, LANES, out);
        }
      }
    }
    return to;
  }

  private static int scanNBody(long[] codes, int words, long[] query, int from, int to, Collector out) {
    int limit = out.limit;
    int stride = CodeLayout.BLOCK * words;
    for (int i = from; i < to; i += CodeLayout.BLOCK) {
      int base = (i / CodeLayout.BLOCK) * stride;
      for (int lane = 0; lane < CodeLayout.BLOCK; lane += LANES) {
        LongVector acc = LongVector.zero(SPECIES);
        for (int w = 0; w < words; w++) {
          // One code per lane: word w of LANES neighbouring codes is contiguous in the blocked layout.
          acc = acc.add(LongVector.fromArray(SPECIES, codes, base + (w << 3) + lane)
              .lanewise(VectorOperators.XOR, query[w]).lanewise(VectorOperators.BIT_COUNT));
        }
        if (acc.lt(limit).anyTrue()) {
          limit = offerLanes(codes, words, query, i + lane, LANES, out);
        }
      }
    }
    return to;
  }

  /** The slow path: recompute {@code count} codes from {@code first} one by one. Returns the new limit. */
  private static int offerLanes(long[] codes, int words, long[] query, int first, int count, Collector out) {
    for (int i = first; i < first + count; i++) {
      int d = CodeLayout.distance(codes, words, i, query);
      if (d < out.limit) {
        out.offer(d, i);
      }
    }
    return out.limit;
  }

  @Override
  public void scanBatch(long[] codes, int words, long[][] queries, int from, int to, Collector[] outs) {
    if (words != 1) {
      for (int tile = from; tile < to; tile += ScalarKernel.TILE) {
        int end = Math.min(to, tile + ScalarKernel.TILE);
        for (int q = 0; q < queries.length; q++) {
          scan(codes, words, queries[q], tile, end, outs[q]);
        }
      }
      return;
    }
    // For one-word codes POPCNT on four integer ports beats the AVX2 nibble-lookup popcount once the
    // code is in a register and reused for four queries (measured, docs/benchmarks.md).
    scalar.scanBatch(codes, words, queries, from, to, outs);
  }
}
