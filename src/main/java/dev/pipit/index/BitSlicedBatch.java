package dev.pipit.index;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static jdk.incubator.vector.VectorOperators.AND_NOT;
import static jdk.incubator.vector.VectorOperators.BITWISE_BLEND;
import static jdk.incubator.vector.VectorOperators.IS_DEFAULT;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.OR;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batched scan of one-word codes over bit-sliced tiles: each {@link #TILE} codes are transposed
 * once into 64 bit-planes of 256 bits (plane {@code b} holds bit {@code b} of every code, one code
 * per bit of the plane), in a 2 KiB scratch buffer that stays in L1 while every query of the batch
 * passes over it. Per query, the planes XOR-ed with the query's bits are summed by carry-save
 * adders into a bit-sliced counter per code that starts at {@code 64 - limit}: its top bit marks
 * the codes whose distance reached the query's limit, the counting stops as soon as every code of
 * the tile has, and the (rare) codes left below it get their exact distance from {@link
 * Long#bitCount}.
 *
 * <p>Why: AVX2 has no vector popcount, and {@code lanewise(BIT_COUNT)} costs about 2.5 vector
 * instructions per (query, code) pair; the adder tree costs about 1.5 and needs no popcount at all,
 * less when the limit is tight (random 64-bit codes, k = 10 of 10 M: 4.3 of 6 counter steps). The
 * transpose and the per-triple sums (about 6 instructions per code) are shared by the whole batch.
 * Memory stays 1×: the gallery is not re-laid out, only the tile being scanned.
 *
 * <p>Inside a tile, code {@code base + 4r + m} is bit {@code r} of long {@code m} of each plane, so
 * a row of the transpose is one contiguous 4-long load.
 */
final class BitSlicedBatch {

  private static final VectorSpecies<Long> SPECIES = LongVector.SPECIES_256;
  private static final int LANES = 4;

  /** Codes per tile: one per bit of a 256-bit plane. */
  static final int TILE = 64 * LANES;

  /**
   * Fewest queries for which the per-tile work pays (measured: below 8 the popcount bodies win).
   */
  static final int MIN_QUERIES = 8;

  /**
   * Planes are summed three at a time; 24 triples cover 64 planes plus 8 zero planes of padding.
   */
  private static final int TRIPLES = 24;

  /** Triples summed per step of the counter loop. */
  private static final int STEP = 4;

  /** Vectors per triple: for each query bit pattern, its sum and its carry side by side. */
  private static final int VARIANTS = 16;

  /** Picks per query: one per triple. */
  static final int PICKS = TRIPLES;

  /**
   * Low {@code j} bits of every {@code 2j}-bit group, for the transpose rounds j = 32, 16, …, 1,
   * one vector each: vector constants are loaded, not broadcast (see {@link #prepareTile}).
   */
  private static final long[] SWAP_MASKS =
      lanes(
          0x00000000FFFFFFFFL,
          0x0000FFFF0000FFFFL,
          0x00FF00FF00FF00FFL,
          0x0F0F0F0F0F0F0F0FL,
          0x3333333333333333L,
          0x5555555555555555L);

  /**
   * The shift of each transpose round, as a vector: a shift by a vector is one instruction on AVX2.
   */
  private static final long[] SWAP_SHIFTS = lanes(32, 16, 8, 4, 2, 1);

  /** All bits clear, then all bits set: one vector each. */
  private static final long[] ZERO_ONES = lanes(0L, -1L);

  private static final int ONES = LANES;

  private BitSlicedBatch() {}

  /** Each value repeated in {@link #LANES} consecutive longs. */
  private static long[] lanes(long... values) {
    long[] out = new long[values.length * LANES];
    for (int i = 0; i < out.length; i++) {
      out[i] = values[i / LANES];
    }
    return out;
  }

  /** Whether 256-bit vectors are native here (on narrower hardware the emulation would be slow). */
  static boolean supported() {
    return LongVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
  }

  /**
   * Offers to {@code outs[q]} every code in whole tiles from {@code from} whose distance to {@code
   * queries[q][0]} is below the collector's limit, in ascending ordinal order per query.
   *
   * <p>{@code from} and {@code to} count codes of {@code chunk}, whose first code is ordinal {@code
   * base}. Each tile is first copied from the (off-heap) chunk into a 2 KiB heap array: the
   * transpose then runs on the same code as the planes, and the copy is one sequential read that
   * the whole batch shares.
   *
   * @return the first code not scanned (fewer than {@link #TILE} codes before {@code to})
   */
  static int scan(
      MemorySegment chunk, int base, long[][] queries, int from, int to, Collector[] outs) {
    long[] codes = new long[TILE];
    long[] planes = newPlanes();
    long[] variants = newVariants();
    long queryBits = 0;
    for (long[] query : queries) {
      queryBits |= query[0];
    }
    int[] picks = picks(queries);
    long[] hits = new long[LANES];
    int end = from + (to - from) / TILE * TILE;
    for (int start = from; start < end; start += TILE) {
      MemorySegment.copy(chunk, JAVA_LONG, 8L * start, codes, 0, TILE);
      int bits = prepareTile(codes, 0, queryBits, planes, variants);
      int steps = steps(bits);
      for (int q = 0; q < queries.length; q++) {
        Collector out = outs[q];
        int limit = out.limit;
        if (limit <= 0) {
          continue;
        }
        if (limit > bits) {
          Arrays.fill(hits, -1L); // every distance is below the limit
        } else if (!candidates(variants, picks, q * PICKS, steps, limit, hits)) {
          continue;
        }
        offer(codes, queries[q][0], base + start, hits, out);
      }
    }
    return end;
  }

  /** Scratch for the transposed tile: 72 planes of one vector, planes 64.. staying zero. */
  static long[] newPlanes() {
    return new long[3 * TRIPLES * LANES];
  }

  /** Scratch for the triples' sums and carries. */
  static long[] newVariants() {
    return new long[TRIPLES * VARIANTS * LANES];
  }

  /**
   * Per query ({@link #PICKS} apiece): for each triple, where in the variants the sum for the
   * query's three bits of that triple starts (its carry follows it).
   */
  static int[] picks(long[][] queries) {
    int[] picks = new int[queries.length * PICKS];
    for (int q = 0; q < queries.length; q++) {
      long query = queries[q][0];
      for (int t = 0; t < TRIPLES; t++) {
        int pattern = 3 * t < 64 ? (int) (query >>> (3 * t)) & 7 : 0;
        picks[q * PICKS + t] = (t * VARIANTS + 2 * pattern) * LANES;
      }
    }
    return picks;
  }

  /** Steps of the counter loop for tiles of {@code bits} significant bits. */
  static int steps(int bits) {
    return ((bits + 2) / 3 + STEP - 1) / STEP;
  }

  /**
   * The work shared by every query of the batch for one tile; returns the number of significant
   * bits (above the highest set one, bits are zero in codes and queries: short codes of 12, 24, 48
   * bits skip their empty planes).
   *
   * <ol>
   *   <li>Transpose: each lane's 64 × 64 bit matrix is transposed by block swaps, one round per
   *       shift 32, 16, …, 1 (the round of shift 2^i exchanges bit i of the row index with bit i of
   *       the column index, so the rounds commute), so that long {@code 4b + m} of {@code planes}
   *       holds bit {@code b} of codes {@code base + 4r + m} at bit {@code r}. The six rounds run
   *       as two passes of three ({@link #transposeOctet}): rounds 4, 2, 1 only pair rows within an
   *       aligned group of eight, and rounds 32, 16, 8 only rows eight apart, so each pass holds
   *       eight rows in registers and every row is loaded and stored once per pass instead of once
   *       per round. The first pass reads the gallery's 256 contiguous bytes at a time, in order:
   *       the hardware prefetcher keeps up (read eight rows apart, the tile cost twice as many
   *       cycles when it came from DRAM).
   *   <li>Triples: for each triple of planes, the full adder of the three planes each XOR-ed with a
   *       query bit, for every query bit pattern. A query then picks its sum and carry by address,
   *       with no vector work, and only 22 × 2 counter inputs remain instead of 64.
   * </ol>
   *
   * <p>No scalar-to-vector broadcast inside the loops (vector constants are loaded): C2 then
   * compiles the same shape whatever the profile saw.
   */
  static int prepareTile(long[] codes, int base, long queryBits, long[] planes, long[] variants) {
    long any = queryBits;
    for (int g = 0; g < 8; g++) {
      any |= transposeOctet(codes, base + 8 * g * LANES, planes, 8 * g * LANES, LANES, 3);
    }
    for (int g = 0; g < 8; g++) {
      transposeOctet(planes, g * LANES, planes, g * LANES, 8 * LANES, 0);
    }
    int bits = 64 - Long.numberOfLeadingZeros(any);
    int triples = steps(bits) * STEP; // at most TRIPLES (64 bits: 22 triples and 2 of zero planes)
    LongVector ones = LongVector.fromArray(SPECIES, ZERO_ONES, ONES);
    for (int t = 0; t < triples; t++) {
      LongVector a = LongVector.fromArray(SPECIES, planes, 3 * t * LANES);
      LongVector b = LongVector.fromArray(SPECIES, planes, (3 * t + 1) * LANES);
      LongVector c = LongVector.fromArray(SPECIES, planes, (3 * t + 2) * LANES);
      LongVector notA = a.lanewise(XOR, ones);
      LongVector notB = b.lanewise(XOR, ones);
      int at = t * VARIANTS * LANES;
      // Pattern p (query bits p0, p1, p2 of the triple) at 2p: the sum, then the carry. The sum
      // only
      // depends on p's parity; the carry of p ^ 7 is the complement of p's (flipping all three
      // inputs
      // flips the majority). Carry of p (inputs x = a ^ p0, y = b ^ p1, c ^ p2): c where x and y
      // differ,
      // else x.
      LongVector even = a.lanewise(XOR, b).lanewise(XOR, c);
      LongVector odd = even.lanewise(XOR, ones);
      LongVector carry = a.lanewise(BITWISE_BLEND, c, a.lanewise(XOR, b));
      even.intoArray(variants, at);
      carry.intoArray(variants, at + LANES);
      odd.intoArray(variants, at + 14 * LANES);
      carry.lanewise(XOR, ones).intoArray(variants, at + 15 * LANES);
      carry = notA.lanewise(BITWISE_BLEND, c, notA.lanewise(XOR, b));
      odd.intoArray(variants, at + 2 * LANES);
      carry.intoArray(variants, at + 3 * LANES);
      even.intoArray(variants, at + 12 * LANES);
      carry.lanewise(XOR, ones).intoArray(variants, at + 13 * LANES);
      carry = a.lanewise(BITWISE_BLEND, c, a.lanewise(XOR, notB));
      odd.intoArray(variants, at + 4 * LANES);
      carry.intoArray(variants, at + 5 * LANES);
      even.intoArray(variants, at + 10 * LANES);
      carry.lanewise(XOR, ones).intoArray(variants, at + 11 * LANES);
      carry = notA.lanewise(BITWISE_BLEND, c, notA.lanewise(XOR, notB));
      even.intoArray(variants, at + 6 * LANES);
      carry.intoArray(variants, at + 7 * LANES);
      odd.intoArray(variants, at + 8 * LANES);
      carry.lanewise(XOR, ones).intoArray(variants, at + 9 * LANES);
    }
    return bits;
  }

  /**
   * Three transpose rounds (shifts and masks from vector {@code round} of {@code SWAP_SHIFTS} and
   * {@code SWAP_MASKS} on: 32, 16, 8 or 4, 2, 1) over the eight rows {@code from + i * stride} of
   * {@code src}, written to {@code to + i * stride} of {@code dst}. The round of shift j swaps, per
   * {@code 2j}-bit group, the high half of row {@code k} with the low half of the row paired with
   * it. Returns the OR of the rows read.
   */
  static long transposeOctet(long[] src, int from, long[] dst, int to, int stride, int round) {
    LongVector r0 = LongVector.fromArray(SPECIES, src, from);
    LongVector r1 = LongVector.fromArray(SPECIES, src, from + stride);
    LongVector r2 = LongVector.fromArray(SPECIES, src, from + 2 * stride);
    LongVector r3 = LongVector.fromArray(SPECIES, src, from + 3 * stride);
    LongVector r4 = LongVector.fromArray(SPECIES, src, from + 4 * stride);
    LongVector r5 = LongVector.fromArray(SPECIES, src, from + 5 * stride);
    LongVector r6 = LongVector.fromArray(SPECIES, src, from + 6 * stride);
    LongVector r7 = LongVector.fromArray(SPECIES, src, from + 7 * stride);
    long any = r0.or(r1).or(r2).or(r3).or(r4).or(r5).or(r6).or(r7).reduceLanes(OR);
    // No swap helper: a vector passed to a method C2 does not inline is boxed (see candidates).
    LongVector mask = LongVector.fromArray(SPECIES, SWAP_MASKS, round * LANES);
    LongVector j = LongVector.fromArray(SPECIES, SWAP_SHIFTS, round * LANES);
    LongVector t = r0.lanewise(LSHR, j).lanewise(XOR, r4).and(mask);
    r0 = r0.lanewise(XOR, t.lanewise(LSHL, j));
    r4 = r4.lanewise(XOR, t);
    t = r1.lanewise(LSHR, j).lanewise(XOR, r5).and(mask);
    r1 = r1.lanewise(XOR, t.lanewise(LSHL, j));
    r5 = r5.lanewise(XOR, t);
    t = r2.lanewise(LSHR, j).lanewise(XOR, r6).and(mask);
    r2 = r2.lanewise(XOR, t.lanewise(LSHL, j));
    r6 = r6.lanewise(XOR, t);
    t = r3.lanewise(LSHR, j).lanewise(XOR, r7).and(mask);
    r3 = r3.lanewise(XOR, t.lanewise(LSHL, j));
    r7 = r7.lanewise(XOR, t);
    mask = LongVector.fromArray(SPECIES, SWAP_MASKS, (round + 1) * LANES);
    LongVector h = LongVector.fromArray(SPECIES, SWAP_SHIFTS, (round + 1) * LANES);
    t = r0.lanewise(LSHR, h).lanewise(XOR, r2).and(mask);
    r0 = r0.lanewise(XOR, t.lanewise(LSHL, h));
    r2 = r2.lanewise(XOR, t);
    t = r1.lanewise(LSHR, h).lanewise(XOR, r3).and(mask);
    r1 = r1.lanewise(XOR, t.lanewise(LSHL, h));
    r3 = r3.lanewise(XOR, t);
    t = r4.lanewise(LSHR, h).lanewise(XOR, r6).and(mask);
    r4 = r4.lanewise(XOR, t.lanewise(LSHL, h));
    r6 = r6.lanewise(XOR, t);
    t = r5.lanewise(LSHR, h).lanewise(XOR, r7).and(mask);
    r5 = r5.lanewise(XOR, t.lanewise(LSHL, h));
    r7 = r7.lanewise(XOR, t);
    mask = LongVector.fromArray(SPECIES, SWAP_MASKS, (round + 2) * LANES);
    LongVector q = LongVector.fromArray(SPECIES, SWAP_SHIFTS, (round + 2) * LANES);
    t = r0.lanewise(LSHR, q).lanewise(XOR, r1).and(mask);
    r0 = r0.lanewise(XOR, t.lanewise(LSHL, q));
    r1 = r1.lanewise(XOR, t);
    t = r2.lanewise(LSHR, q).lanewise(XOR, r3).and(mask);
    r2 = r2.lanewise(XOR, t.lanewise(LSHL, q));
    r3 = r3.lanewise(XOR, t);
    t = r4.lanewise(LSHR, q).lanewise(XOR, r5).and(mask);
    r4 = r4.lanewise(XOR, t.lanewise(LSHL, q));
    r5 = r5.lanewise(XOR, t);
    t = r6.lanewise(LSHR, q).lanewise(XOR, r7).and(mask);
    r6 = r6.lanewise(XOR, t.lanewise(LSHL, q));
    r7 = r7.lanewise(XOR, t);
    r0.intoArray(dst, to);
    r1.intoArray(dst, to + stride);
    r2.intoArray(dst, to + 2 * stride);
    r3.intoArray(dst, to + 3 * stride);
    r4.intoArray(dst, to + 4 * stride);
    r5.intoArray(dst, to + 5 * stride);
    r6.intoArray(dst, to + 6 * stride);
    r7.intoArray(dst, to + 7 * stride);
    return any;
  }

  /**
   * Writes into {@code hits} the codes of the tile whose distance to the query is below {@code
   * limit}; returns whether there is any. {@code query} indexes the query's first pick.
   */
  static boolean candidates(
      long[] variants, int[] picks, int query, int steps, int limit, long[] hits) {
    // Each code's distance is summed into a bit-sliced counter c1 … c64 that starts at 64 - limit,
    // so a
    // code's c64 is set exactly when its distance reached the limit: the sum stays below 128
    // (distance
    // ≤ 64, limit ≥ 1), so c64, once set, is never carried out. {@code below} holds its complement,
    // the
    // codes still below the limit. The start bits are loaded as all-0 / all-1 vectors: no branch on
    // the
    // limit, so the compiled shape does not depend on which limits the profile saw.
    int start = 64 - limit;
    LongVector c1 = LongVector.fromArray(SPECIES, ZERO_ONES, (start & 1) * LANES);
    LongVector c2 = LongVector.fromArray(SPECIES, ZERO_ONES, (start >>> 1 & 1) * LANES);
    LongVector c4 = LongVector.fromArray(SPECIES, ZERO_ONES, (start >>> 2 & 1) * LANES);
    LongVector c8 = LongVector.fromArray(SPECIES, ZERO_ONES, (start >>> 3 & 1) * LANES);
    LongVector c16 = LongVector.fromArray(SPECIES, ZERO_ONES, (start >>> 4 & 1) * LANES);
    LongVector c32 = LongVector.fromArray(SPECIES, ZERO_ONES, (start >>> 5 & 1) * LANES);
    LongVector below = LongVector.fromArray(SPECIES, ZERO_ONES, ONES);
    // STEP triples (weight-1 sums, weight-2 carries) per step, summed by carry-save adders. A full
    // adder
    // of (c, a, b) is u = c ^ a, carry = BITWISE_BLEND(c, b, u) (b where c and a differ, else c),
    // sum = u ^ b. No helper methods here: past a node budget per compiled method C2 still inlines
    // the
    // Vector API's own @ForceInline methods but not ours, and a vector boxed at a failed inline
    // costs far
    // more.
    for (int step = 0, t = query; step < steps; step++, t += STEP) {
      int p0 = picks[t];
      LongVector s0 = LongVector.fromArray(SPECIES, variants, p0);
      LongVector k0 = LongVector.fromArray(SPECIES, variants, p0 + LANES);
      int p1 = picks[t + 1];
      LongVector s1 = LongVector.fromArray(SPECIES, variants, p1);
      LongVector k1 = LongVector.fromArray(SPECIES, variants, p1 + LANES);
      int p2 = picks[t + 2];
      LongVector s2 = LongVector.fromArray(SPECIES, variants, p2);
      LongVector k2 = LongVector.fromArray(SPECIES, variants, p2 + LANES);
      int p3 = picks[t + 3];
      LongVector s3 = LongVector.fromArray(SPECIES, variants, p3);
      LongVector k3 = LongVector.fromArray(SPECIES, variants, p3 + LANES);
      // Each weight first adds the step's new inputs among themselves (a tree, free of the loop),
      // then
      // the running counter once: every counter is one adder deep per step, so steps overlap in the
      // core.
      // Weight 1: s0 + s1 + s2, then c1 + that + s3.
      LongVector u = s0.lanewise(XOR, s1);
      LongVector ones = u.lanewise(XOR, s2);
      LongVector twosA = s0.lanewise(BITWISE_BLEND, s2, u);
      u = c1.lanewise(XOR, ones);
      LongVector twosB = c1.lanewise(BITWISE_BLEND, s3, u);
      c1 = u.lanewise(XOR, s3);
      // Weight 2: k0 + k1 + k2 and k3 + twosA + twosB, then c2 + both.
      u = k0.lanewise(XOR, k1);
      LongVector twos = u.lanewise(XOR, k2);
      LongVector foursA = k0.lanewise(BITWISE_BLEND, k2, u);
      u = k3.lanewise(XOR, twosA);
      LongVector twosC = u.lanewise(XOR, twosB);
      LongVector foursB = k3.lanewise(BITWISE_BLEND, twosB, u);
      u = c2.lanewise(XOR, twos);
      LongVector foursC = c2.lanewise(BITWISE_BLEND, twosC, u);
      c2 = u.lanewise(XOR, twosC);
      // Weight 4: foursA + foursB + foursC, then c4 + that (a half adder).
      u = foursA.lanewise(XOR, foursB);
      LongVector fours = u.lanewise(XOR, foursC);
      LongVector eightsA = foursA.lanewise(BITWISE_BLEND, foursC, u);
      LongVector eightsB = c4.and(fours);
      c4 = c4.lanewise(XOR, fours);
      // Weight 8: two carries; then the step's one sixteen at most (it adds 12 or less) rippled up.
      u = c8.lanewise(XOR, eightsA);
      LongVector sixteens = c8.lanewise(BITWISE_BLEND, eightsB, u);
      c8 = u.lanewise(XOR, eightsB);
      LongVector carry32 = c16.and(sixteens);
      c16 = c16.lanewise(XOR, sixteens);
      LongVector carry64 = c32.and(carry32);
      c32 = c32.lanewise(XOR, carry32);
      below = below.lanewise(AND_NOT, carry64);
      // Every code of the tile has reached the limit: the remaining planes cannot bring one back
      // below.
      // Once the limit has tightened this is the common exit for all but the closest tiles.
      if (below.test(IS_DEFAULT).allTrue()) {
        return false;
      }
    }
    // steps ≥ 1 here (the scan calls only when limit ≤ bits): the last step has checked for no
    // hits.
    below.intoArray(hits, 0);
    return true;
  }

  /**
   * Offers the codes flagged in {@code hits} (the tile's codes, the first one ordinal {@code
   * first}), in ascending ordinal order, with their exact distance.
   */
  private static void offer(long[] tile, long query, int first, long[] hits, Collector out) {
    long rows = hits[0] | hits[1] | hits[2] | hits[3];
    while (rows != 0) {
      int r = Long.numberOfTrailingZeros(rows);
      rows &= rows - 1;
      for (int m = 0; m < LANES; m++) {
        if ((hits[m] >>> r & 1) != 0) {
          int at = r * LANES + m;
          int d = Long.bitCount(tile[at] ^ query);
          if (d < out.limit) {
            out.offer(d, first + at);
          }
        }
      }
    }
  }
}
