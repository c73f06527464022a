package dev.pipit.index;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/** The portable kernel: {@link Long#bitCount} (one POPCNT instruction on x86-64 and ARMv8). */
final class ScalarKernel implements HammingKernel {

  /**
   * Codes per tile of a batched scan: 128 KiB of one-word codes, resident in L2 while queries loop.
   */
  static final int TILE = 16 * 1024;

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public void scanChunk(
      MemorySegment codes, int base, int words, long[] query, int from, int to, Collector out) {
    switch (words) {
      case 1 -> scan1(codes, base, query[0], from, to, out);
      case 2 -> scan2(codes, base, query[0], query[1], from, to, out);
      default -> scanN(codes, base, words, query, from, to, out);
    }
  }

  private static void scan1(
      MemorySegment codes, int base, long q0, int from, int to, Collector out) {
    int limit = out.limit;
    int i = from;
    // Four codes per iteration and one branch: C2 does not unroll a loop that holds a call, and the
    // branch is almost never taken once the collector is full.
    for (; i + 4 <= to; i += 4) {
      int d0 = Long.bitCount(codes.getAtIndex(JAVA_LONG, i) ^ q0) - limit;
      int d1 = Long.bitCount(codes.getAtIndex(JAVA_LONG, i + 1) ^ q0) - limit;
      int d2 = Long.bitCount(codes.getAtIndex(JAVA_LONG, i + 2) ^ q0) - limit;
      int d3 = Long.bitCount(codes.getAtIndex(JAVA_LONG, i + 3) ^ q0) - limit;
      if ((d0 | d1 | d2 | d3) < 0) { // some d < limit: its difference is negative
        for (int j = i; j < i + 4; j++) {
          int d = Long.bitCount(codes.getAtIndex(JAVA_LONG, j) ^ q0);
          if (d < out.limit) {
            out.offer(d, base + j);
          }
        }
        limit = out.limit;
      }
    }
    for (; i < to; i++) {
      int d = Long.bitCount(codes.getAtIndex(JAVA_LONG, i) ^ q0);
      if (d < limit) {
        out.offer(d, base + i);
        limit = out.limit;
      }
    }
  }

  private static void scan2(
      MemorySegment codes, int base, long q0, long q1, int from, int to, Collector out) {
    int limit = out.limit;
    for (int i = from; i < to; i++) {
      long at = ((i & ~7) << 1) + (i & 7);
      int d =
          Long.bitCount(codes.getAtIndex(JAVA_LONG, at) ^ q0)
              + Long.bitCount(codes.getAtIndex(JAVA_LONG, at + 8) ^ q1);
      if (d < limit) {
        out.offer(d, base + i);
        limit = out.limit;
      }
    }
  }

  private static void scanN(
      MemorySegment codes, int base, int words, long[] query, int from, int to, Collector out) {
    int limit = out.limit;
    for (int i = from; i < to; i++) {
      int d = CodeLayout.distance(codes, words, i, query);
      if (d < limit) {
        out.offer(d, base + i);
        limit = out.limit;
      }
    }
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
    for (int tile = from; tile < to; tile += TILE) {
      int end = Math.min(to, tile + TILE);
      int q = 0;
      if (words == 1) {
        for (; q + 4 <= queries.length; q += 4) {
          scan1x4(codes, base, queries, q, tile, end, outs);
        }
      }
      for (; q < queries.length; q++) {
        scanChunk(codes, base, words, queries[q], tile, end, outs[q]);
      }
    }
  }

  /**
   * Four queries against one-word codes: each code is loaded once and tested against four limits.
   */
  static void scan1x4(
      MemorySegment codes, int base, long[][] queries, int q, int from, int to, Collector[] outs) {
    long q0 = queries[q][0];
    long q1 = queries[q + 1][0];
    long q2 = queries[q + 2][0];
    long q3 = queries[q + 3][0];
    Collector o0 = outs[q];
    Collector o1 = outs[q + 1];
    Collector o2 = outs[q + 2];
    Collector o3 = outs[q + 3];
    int l0 = o0.limit;
    int l1 = o1.limit;
    int l2 = o2.limit;
    int l3 = o3.limit;
    for (int i = from; i < to; i++) {
      long c = codes.getAtIndex(JAVA_LONG, i);
      int d0 = Long.bitCount(c ^ q0) - l0;
      int d1 = Long.bitCount(c ^ q1) - l1;
      int d2 = Long.bitCount(c ^ q2) - l2;
      int d3 = Long.bitCount(c ^ q3) - l3;
      // One branch for four tests: a negative difference (d < limit) sets the sign bit of the OR.
      if ((d0 | d1 | d2 | d3) < 0) {
        if (d0 < 0) {
          o0.offer(d0 + l0, base + i);
          l0 = o0.limit;
        }
        if (d1 < 0) {
          o1.offer(d1 + l1, base + i);
          l1 = o1.limit;
        }
        if (d2 < 0) {
          o2.offer(d2 + l2, base + i);
          l2 = o2.limit;
        }
        if (d3 < 0) {
          o3.offer(d3 + l3, base + i);
          l3 = o3.limit;
        }
      }
    }
  }
}
