package dev.pipit.index;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD kernel on the JDK Vector API: {@code LongVector} XOR, {@code lanewise(BIT_COUNT)}, add,
 * then a compare against the collector's limit so that only the rare candidate leaves the vector
 * loop. Only loaded when {@link KernelProvider} has found the {@code jdk.incubator.vector} module.
 */
final class PanamaKernel implements HammingKernel {

  private static final VectorSpecies<Long> SPECIES = LongVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  private final ScalarKernel scalar = new ScalarKernel();
  private final boolean bitSliced;

  /** With the bit-sliced batch scan where it is supported (see {@link #PanamaKernel(boolean)}). */
  PanamaKernel() {
    this(BitSlicedBatch.supported());
  }

  /**
   * @param bitSliced whether batches of at least {@link BitSlicedBatch#MIN_QUERIES} queries over
   *     one-word codes use {@link BitSlicedBatch} rather than {@link #batch8Body}
   *     (docs/benchmarks.md compares both)
   */
  PanamaKernel(boolean bitSliced) {
    this.bitSliced = bitSliced;
  }

  /** Whether this platform's preferred species fits the blocked layout (2, 4 or 8 lanes). */
  static boolean supported() {
    return LANES >= 2 && CodeLayout.BLOCK % LANES == 0;
  }

  @Override
  public String name() {
    return "panama-" + SPECIES.vectorBitSize();
  }

  @Override
  public void scanChunk(
      MemorySegment codes, int base, int words, long[] query, int from, int to, Collector out) {
    if (to - from < CodeLayout.BLOCK * 2) {
      scalar.scanChunk(codes, base, words, query, from, to, out);
      return;
    }
    // Scalar head and tail up to block boundaries; whole blocks in the vector body.
    int first = Math.min(to, (from + CodeLayout.BLOCK - 1) & -CodeLayout.BLOCK);
    int last = Math.max(first, to & -CodeLayout.BLOCK);
    scalar.scanChunk(codes, base, words, query, from, first, out);
    int done =
        switch (words) {
          case 1 -> scan1Body(codes, base, query[0], first, last, out);
          case 2 -> scan2Body(codes, base, query[0], query[1], first, last, out);
          default -> scanNBody(codes, base, words, query, first, last, out);
        };
    scalar.scanChunk(codes, base, words, query, done, to, out);
  }

  /** Returns the first ordinal not scanned (the body takes whole pairs of vectors). */
  private static int scan1Body(
      MemorySegment codes, int base, long q, int from, int to, Collector out) {
    LongVector qv = LongVector.broadcast(SPECIES, q);
    int limit = out.limit;
    int end = from + (to - from) / (2 * LANES) * (2 * LANES);
    // Two vectors per iteration, one branch: the loop is load-bound and the branch almost never
    // taken.
    for (int i = from; i < end; i += 2 * LANES) {
      LongVector d0 =
          LongVector.fromMemorySegment(SPECIES, codes, 8L * i, ORDER)
              .lanewise(VectorOperators.XOR, qv)
              .lanewise(VectorOperators.BIT_COUNT);
      LongVector d1 =
          LongVector.fromMemorySegment(SPECIES, codes, 8L * (i + LANES), ORDER)
              .lanewise(VectorOperators.XOR, qv)
              .lanewise(VectorOperators.BIT_COUNT);
      VectorMask<Long> hit = d0.lt(limit).or(d1.lt(limit));
      if (hit.anyTrue()) {
        limit = offerLanes(codes, base, 1, new long[] {q}, i, 2 * LANES, out);
      }
    }
    return end;
  }

  private static int scan2Body(
      MemorySegment codes, int base, long q0, long q1, int from, int to, Collector out) {
    LongVector qv0 = LongVector.broadcast(SPECIES, q0);
    LongVector qv1 = LongVector.broadcast(SPECIES, q1);
    int limit = out.limit;
    for (int i = from; i < to; i += CodeLayout.BLOCK) {
      int start = i << 1; // block start: word 0 of 8 codes, then word 1 of the same 8
      for (int lane = 0; lane < CodeLayout.BLOCK; lane += LANES) {
        LongVector d =
            LongVector.fromMemorySegment(SPECIES, codes, 8L * (start + lane), ORDER)
                .lanewise(VectorOperators.XOR, qv0)
                .lanewise(VectorOperators.BIT_COUNT)
                .add(
                    LongVector.fromMemorySegment(SPECIES, codes, 8L * (start + 8 + lane), ORDER)
                        .lanewise(VectorOperators.XOR, qv1)
                        .lanewise(VectorOperators.BIT_COUNT));
        if (d.lt(limit).anyTrue()) {
          limit = offerLanes(codes, base, 2, new long[] {q0, q1}, i + lane, LANES, out);
        }
      }
    }
    return to;
  }

  private static int scanNBody(
      MemorySegment codes, int base, int words, long[] query, int from, int to, Collector out) {
    int limit = out.limit;
    int stride = CodeLayout.BLOCK * words;
    for (int i = from; i < to; i += CodeLayout.BLOCK) {
      int start = (i / CodeLayout.BLOCK) * stride;
      for (int lane = 0; lane < CodeLayout.BLOCK; lane += LANES) {
        LongVector acc = LongVector.zero(SPECIES);
        for (int w = 0; w < words; w++) {
          // One code per lane: word w of LANES neighbouring codes is contiguous in the blocked
          // layout.
          acc =
              acc.add(
                  LongVector.fromMemorySegment(
                          SPECIES, codes, 8L * (start + (w << 3) + lane), ORDER)
                      .lanewise(VectorOperators.XOR, query[w])
                      .lanewise(VectorOperators.BIT_COUNT));
        }
        if (acc.lt(limit).anyTrue()) {
          limit = offerLanes(codes, base, words, query, i + lane, LANES, out);
        }
      }
    }
    return to;
  }

  /**
   * The slow path: recompute {@code count} codes from {@code first} one by one. Returns the new
   * limit.
   */
  private static int offerLanes(
      MemorySegment codes, int base, int words, long[] query, int first, int count, Collector out) {
    for (int i = first; i < first + count; i++) {
      int d = CodeLayout.distance(codes, words, i, query);
      if (d < out.limit) {
        out.offer(d, base + i);
      }
    }
    return out.limit;
  }

  @Override
  public void scanBatchChunk(
      MemorySegment codes,
      int base,
      int words,
      long[][] queries,
      int from,
      int to,
      Collector[] outs) {
    if (bitSliced && words == 1 && queries.length >= BitSlicedBatch.MIN_QUERIES) {
      int done = BitSlicedBatch.scan(codes, base, queries, from, to, outs);
      for (int q = 0; q < queries.length; q++) {
        scanChunk(codes, base, 1, queries[q], done, to, outs[q]);
      }
      return;
    }
    for (int tile = from; tile < to; tile += ScalarKernel.TILE) {
      int end = Math.min(to, tile + ScalarKernel.TILE);
      int q = 0;
      if (words == 1) {
        // The vector bodies take whole vectors; the few codes left in the tile go through scan().
        int vectorEnd = tile + (end - tile) / LANES * LANES;
        for (; q + 8 <= queries.length; q += 8) {
          batch8Body(codes, base, queries, q, tile, vectorEnd, outs);
          for (int j = q; j < q + 8; j++) {
            scanChunk(codes, base, 1, queries[j], vectorEnd, end, outs[j]);
          }
        }
        for (; q + 4 <= queries.length; q += 4) {
          batch4Body(codes, base, queries, q, tile, vectorEnd, outs);
          for (int j = q; j < q + 4; j++) {
            scanChunk(codes, base, 1, queries[j], vectorEnd, end, outs[j]);
          }
        }
      }
      for (; q < queries.length; q++) {
        scanChunk(codes, base, words, queries[q], tile, end, outs[q]);
      }
    }
  }

  /**
   * Eight queries against one-word codes: each code vector is loaded once (from L1/L2, the tile is
   * resident) and the eight (distance - limit) vectors are OR-ed into one sign test and one branch.
   * Popcount, not memory, bounds it.
   */
  private static void batch8Body(
      MemorySegment codes, int base, long[][] queries, int q, int from, int to, Collector[] outs) {
    LongVector q0 = LongVector.broadcast(SPECIES, queries[q][0]);
    LongVector q1 = LongVector.broadcast(SPECIES, queries[q + 1][0]);
    LongVector q2 = LongVector.broadcast(SPECIES, queries[q + 2][0]);
    LongVector q3 = LongVector.broadcast(SPECIES, queries[q + 3][0]);
    LongVector q4 = LongVector.broadcast(SPECIES, queries[q + 4][0]);
    LongVector q5 = LongVector.broadcast(SPECIES, queries[q + 5][0]);
    LongVector q6 = LongVector.broadcast(SPECIES, queries[q + 6][0]);
    LongVector q7 = LongVector.broadcast(SPECIES, queries[q + 7][0]);
    LongVector l0 = LongVector.broadcast(SPECIES, outs[q].limit);
    LongVector l1 = LongVector.broadcast(SPECIES, outs[q + 1].limit);
    LongVector l2 = LongVector.broadcast(SPECIES, outs[q + 2].limit);
    LongVector l3 = LongVector.broadcast(SPECIES, outs[q + 3].limit);
    LongVector l4 = LongVector.broadcast(SPECIES, outs[q + 4].limit);
    LongVector l5 = LongVector.broadcast(SPECIES, outs[q + 5].limit);
    LongVector l6 = LongVector.broadcast(SPECIES, outs[q + 6].limit);
    LongVector l7 = LongVector.broadcast(SPECIES, outs[q + 7].limit);
    for (int i = from; i < to; i += LANES) {
      LongVector c = LongVector.fromMemorySegment(SPECIES, codes, 8L * i, ORDER);
      // distance - limit is negative exactly for a candidate: OR the differences and test the
      // sign bits once (plain vector ops; compares into masks and ORs of masks ran ~1.7x slower)
      LongVector signs =
          popcount(c, q0)
              .sub(l0)
              .or(popcount(c, q1).sub(l1))
              .or(popcount(c, q2).sub(l2))
              .or(popcount(c, q3).sub(l3))
              .or(popcount(c, q4).sub(l4))
              .or(popcount(c, q5).sub(l5))
              .or(popcount(c, q6).sub(l6))
              .or(popcount(c, q7).sub(l7));
      if (signs.lt(0L).anyTrue()) {
        offerBatch(codes, base, queries, q, 8, i, outs);
        l0 = LongVector.broadcast(SPECIES, outs[q].limit);
        l1 = LongVector.broadcast(SPECIES, outs[q + 1].limit);
        l2 = LongVector.broadcast(SPECIES, outs[q + 2].limit);
        l3 = LongVector.broadcast(SPECIES, outs[q + 3].limit);
        l4 = LongVector.broadcast(SPECIES, outs[q + 4].limit);
        l5 = LongVector.broadcast(SPECIES, outs[q + 5].limit);
        l6 = LongVector.broadcast(SPECIES, outs[q + 6].limit);
        l7 = LongVector.broadcast(SPECIES, outs[q + 7].limit);
      }
    }
  }

  /** Four queries against one-word codes, as {@link #batch8Body}. */
  private static void batch4Body(
      MemorySegment codes, int base, long[][] queries, int q, int from, int to, Collector[] outs) {
    LongVector q0 = LongVector.broadcast(SPECIES, queries[q][0]);
    LongVector q1 = LongVector.broadcast(SPECIES, queries[q + 1][0]);
    LongVector q2 = LongVector.broadcast(SPECIES, queries[q + 2][0]);
    LongVector q3 = LongVector.broadcast(SPECIES, queries[q + 3][0]);
    LongVector l0 = LongVector.broadcast(SPECIES, outs[q].limit);
    LongVector l1 = LongVector.broadcast(SPECIES, outs[q + 1].limit);
    LongVector l2 = LongVector.broadcast(SPECIES, outs[q + 2].limit);
    LongVector l3 = LongVector.broadcast(SPECIES, outs[q + 3].limit);
    for (int i = from; i < to; i += LANES) {
      LongVector c = LongVector.fromMemorySegment(SPECIES, codes, 8L * i, ORDER);
      // distance - limit is negative exactly for a candidate: OR the differences and test the
      // sign bits once (plain vector ops; compares into masks and ORs of masks ran ~1.7x slower)
      LongVector signs =
          popcount(c, q0)
              .sub(l0)
              .or(popcount(c, q1).sub(l1))
              .or(popcount(c, q2).sub(l2))
              .or(popcount(c, q3).sub(l3));
      if (signs.lt(0L).anyTrue()) {
        offerBatch(codes, base, queries, q, 4, i, outs);
        l0 = LongVector.broadcast(SPECIES, outs[q].limit);
        l1 = LongVector.broadcast(SPECIES, outs[q + 1].limit);
        l2 = LongVector.broadcast(SPECIES, outs[q + 2].limit);
        l3 = LongVector.broadcast(SPECIES, outs[q + 3].limit);
      }
    }
  }

  private static LongVector popcount(LongVector codes, LongVector query) {
    return codes.lanewise(VectorOperators.XOR, query).lanewise(VectorOperators.BIT_COUNT);
  }

  /**
   * Slow path of the batch bodies: the lanes at {@code first}, query by query, in ordinal order.
   */
  private static void offerBatch(
      MemorySegment codes,
      int base,
      long[][] queries,
      int q,
      int count,
      int first,
      Collector[] outs) {
    for (int j = q; j < q + count; j++) {
      long query = queries[j][0];
      Collector out = outs[j];
      for (int i = first; i < first + LANES; i++) {
        int d = Long.bitCount(codes.getAtIndex(JAVA_LONG, i) ^ query);
        if (d < out.limit) {
          out.offer(d, base + i);
        }
      }
    }
  }
}
