package dev.pipit.index;

import static jdk.incubator.vector.VectorOperators.BITWISE_BLEND;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.OR;
import static jdk.incubator.vector.VectorOperators.XOR;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batched scan of one-word codes over bit-sliced tiles: each {@link #TILE} codes are transposed once
 * into 64 bit-planes of 256 bits (plane {@code b} holds bit {@code b} of every code, one code per bit of
 * the plane), in a 2 KiB scratch buffer that stays in L1 while every query of the batch passes over it.
 * Per query, the planes are XOR-ed with the query's bit (broadcast) and summed by a Harley-Seal tree of
 * carry-save adders into a bit-sliced 7-bit counter per code; a bit-sliced compare against the query's
 * limit leaves the (rare) candidate codes, whose exact distance is then computed with
 * {@link Long#bitCount}.
 *
 * <p>Why: AVX2 has no vector popcount, and {@code lanewise(BIT_COUNT)} costs about 2.5 vector
 * instructions per (query, code) pair; the adder tree costs about 1.5 and needs no popcount at all. The
 * transpose (about 4.5 instructions per code) is shared by the whole batch. Memory stays 1×: the gallery
 * is not re-laid out, only the tile being scanned.
 *
 * <p>Inside a tile, code {@code base + 4r + m} is bit {@code r} of long {@code m} of each plane, so a row
 * of the transpose is one contiguous 4-long load.
 */
final class BitSlicedBatch {

  private static final VectorSpecies<Long> SPECIES = LongVector.SPECIES_256;
  private static final int LANES = 4;
  /** Codes per tile: one per bit of a 256-bit plane. */
  static final int TILE = 64 * LANES;
  /** Fewest queries for which the per-tile work pays (measured: below 8 the popcount bodies win). */
  static final int MIN_QUERIES = 8;
  /** Planes are summed three at a time; 24 triples cover 64 planes plus 8 zero planes of padding. */
  private static final int TRIPLES = 24;
  /** Triples summed per step of the counter loop. */
  private static final int STEP = 4;
  /** Vectors per triple: its sum bit for even and odd query parity, its carry for each query pattern. */
  private static final int VARIANTS = 10;
  /**
   * Triples that seed the counters before the loop ({@link #candidates}) when the triple count leaves 1
   * or 2 over a multiple of {@link #STEP}: 64-bit codes need 22 triples, which would otherwise take 6
   * steps (24 triples, 2 of them zero). Seeding costs 5 instructions, a step about 36.
   */
  private static final int LEAD = 2;
  /** Picks per query: the two seed picks, then one per triple. */
  static final int PICKS = LEAD + TRIPLES;
  /** Where in the variants a zero vector stays, for the seed picks of batches that do not seed. */
  private static final int ZERO_SLOT = TRIPLES * VARIANTS * LANES;

  /**
   * Low {@code j} bits of every {@code 2j}-bit group, for the transpose rounds j = 32, 16, …, 1, one
   * vector each: vector constants are loaded, not broadcast (see {@link #prepareTile}).
   */
  private static final long[] SWAP_MASKS = lanes(
      0x00000000FFFFFFFFL, 0x0000FFFF0000FFFFL, 0x00FF00FF00FF00FFL, 0x0F0F0F0F0F0F0F0FL,
      0x3333333333333333L, 0x5555555555555555L);
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
   * Offers to {@code outs[q]} every code in whole tiles from {@code from} whose distance to
   * {@code queries[q][0]} is below the collector's limit, in ascending ordinal order per query.
   *
   * @return the first ordinal not scanned (fewer than {@link #TILE} codes before {@code to})
   */
  static int scan(long[] codes, long[][] queries, int from, int to, Collector[] outs) {
    long[] planes = newPlanes();
    long[] variants = newVariants();
    long queryBits = 0;
    for (long[] query : queries) {
      queryBits |= query[0];
    }
    // Codes and queries of one gallery have one length: the queries' width stands for the tiles'.
    int lead = leadTriples(64 - Long.numberOfLeadingZeros(queryBits));
    int[] picks = picks(queries, lead);
    long[] hits = new long[LANES];
    int end = from + (to - from) / TILE * TILE;
    for (int base = from; base < end; base += TILE) {
      int bits = prepareTile(codes, base, queryBits, lead, planes, variants);
      int steps = steps(bits, lead);
      for (int q = 0; q < queries.length; q++) {
        Collector out = outs[q];
        int limit = out.limit;
        if (limit <= 0) {
          continue;
        }
        if (limit > bits) {
          java.util.Arrays.fill(hits, -1L); // every distance is below the limit
        } else if (!candidates(variants, picks, q * PICKS, steps, limit, hits)) {
          continue;
        }
        offer(codes, queries[q][0], base, hits, out);
      }
    }
    return end;
  }

  /** Scratch for the transposed tile: 72 planes of one vector, planes 64.. staying zero. */
  static long[] newPlanes() {
    return new long[3 * TRIPLES * LANES];
  }

  /** Scratch for the triples' sums and carries, plus the zero slot. */
  static long[] newVariants() {
    return new long[TRIPLES * VARIANTS * LANES + LANES];
  }

  /**
   * Per query ({@link #PICKS} apiece): where each pick's sum (low 16 bits) and carry (high 16 bits) are in
   * the variants. The first {@link #LEAD} picks seed the counters: triples 0 and 1 when {@code lead} is
   * {@link #LEAD}, else the zero slot, and the loop's picks start at triple {@code lead}.
   */
  static int[] picks(long[][] queries, int lead) {
    int[] picks = new int[queries.length * PICKS];
    for (int q = 0; q < queries.length; q++) {
      long query = queries[q][0];
      for (int e = 0; e < PICKS; e++) {
        int t = lead == LEAD ? e : e - LEAD;
        if (t < 0 || t >= TRIPLES) {
          picks[q * PICKS + e] = ZERO_SLOT | ZERO_SLOT << 16;
          continue;
        }
        int pattern = 3 * t < 64 ? (int) (query >>> (3 * t)) & 7 : 0;
        int sum = (t * VARIANTS + (Integer.bitCount(pattern) & 1)) * LANES;
        int carry = (t * VARIANTS + 2 + pattern) * LANES;
        picks[q * PICKS + e] = sum | carry << 16;
      }
    }
    return picks;
  }

  /** {@link #LEAD} when codes of {@code width} bits leave 1 or 2 triples over whole steps, else 0. */
  static int leadTriples(int width) {
    int over = (width + 2) / 3 % STEP;
    return over == 1 || over == 2 ? LEAD : 0;
  }

  /** Steps of the counter loop after {@code lead} seed triples, for tiles of {@code bits} significant bits. */
  static int steps(int bits, int lead) {
    return (Math.max(0, (bits + 2) / 3 - lead) + STEP - 1) / STEP;
  }

  /**
   * The work shared by every query of the batch for one tile; returns the number of significant bits
   * (above the highest set one, bits are zero in codes and queries: short codes of 12, 24, 48 bits skip
   * their empty planes).
   *
   * <ol>
   *   <li>Transpose: the tile's 256 codes are copied into {@code planes} and each lane's 64 × 64 bit
   *       matrix is transposed in place (recursive block swap), so that long {@code 4b + m} holds bit
   *       {@code b} of codes {@code base + 4r + m} at bit {@code r}.
   *   <li>Triples: for each triple of planes, the full adder of the three planes each XOR-ed with a query
   *       bit, for every query bit pattern. A query then picks its sum and carry by address, with no
   *       vector work, and only (21 + padding) × 2 counter inputs remain instead of 64.
   * </ol>
   *
   * <p>One method on purpose, larger than C2's hot-inlining limit (325 bytes of bytecode), with no
   * scalar-to-vector broadcast inside its loops: it is then always compiled on its own with every Vector
   * API call intrinsified. Split in two, C2 inlined the halves into {@link #scan} or not depending on the
   * profile it happened to see, and the kernel's speed differed between JVM runs by up to 1.5×.
   */
  static int prepareTile(long[] codes, int base, long queryBits, int lead, long[] planes,
      long[] variants) {
    LongVector any = LongVector.zero(SPECIES);
    for (int r = 0; r < 64; r++) {
      LongVector row = LongVector.fromArray(SPECIES, codes, base + r * LANES);
      any = any.or(row);
      row.intoArray(planes, r * LANES);
    }
    for (int round = 0, j = 32; j != 0; round++, j >>>= 1) {
      LongVector mask = LongVector.fromArray(SPECIES, SWAP_MASKS, round * LANES);
      for (int k = 0; k < 64; k = (k + j + 1) & ~j) {
        // Swap the high half of row k with the low half of row k + j, per 2j-bit group.
        LongVector a = LongVector.fromArray(SPECIES, planes, k * LANES);
        LongVector b = LongVector.fromArray(SPECIES, planes, (k + j) * LANES);
        LongVector t = a.lanewise(LSHR, j).lanewise(XOR, b).and(mask);
        a.lanewise(XOR, t.lanewise(LSHL, j)).intoArray(planes, k * LANES);
        b.lanewise(XOR, t).intoArray(planes, (k + j) * LANES);
      }
    }
    int bits = 64 - Long.numberOfLeadingZeros(any.reduceLanes(OR) | queryBits);
    int triples = lead + steps(bits, lead) * STEP; // at most TRIPLES: 2 + 5 steps or 6 steps for 64 bits
    LongVector ones = LongVector.fromArray(SPECIES, ZERO_ONES, ONES);
    for (int t = 0; t < triples; t++) {
      LongVector a = LongVector.fromArray(SPECIES, planes, 3 * t * LANES);
      LongVector b = LongVector.fromArray(SPECIES, planes, (3 * t + 1) * LANES);
      LongVector c = LongVector.fromArray(SPECIES, planes, (3 * t + 2) * LANES);
      LongVector notA = a.lanewise(XOR, ones);
      LongVector notB = b.lanewise(XOR, ones);
      int at = t * VARIANTS * LANES;
      LongVector sum = a.lanewise(XOR, b).lanewise(XOR, c);
      sum.intoArray(variants, at);
      sum.lanewise(XOR, ones).intoArray(variants, at + LANES);
      // Carry of pattern p (query bits x = a ^ p0, y = b ^ p1): the majority, c where x and y differ,
      // else x; the carry of pattern p ^ 7 is its complement (flipping all three inputs flips it).
      LongVector carry = a.lanewise(BITWISE_BLEND, c, a.lanewise(XOR, b));
      carry.intoArray(variants, at + 2 * LANES);
      carry.lanewise(XOR, ones).intoArray(variants, at + 9 * LANES);
      carry = notA.lanewise(BITWISE_BLEND, c, notA.lanewise(XOR, b));
      carry.intoArray(variants, at + 3 * LANES);
      carry.lanewise(XOR, ones).intoArray(variants, at + 8 * LANES);
      carry = a.lanewise(BITWISE_BLEND, c, a.lanewise(XOR, notB));
      carry.intoArray(variants, at + 4 * LANES);
      carry.lanewise(XOR, ones).intoArray(variants, at + 7 * LANES);
      carry = notA.lanewise(BITWISE_BLEND, c, notA.lanewise(XOR, notB));
      carry.intoArray(variants, at + 5 * LANES);
      carry.lanewise(XOR, ones).intoArray(variants, at + 6 * LANES);
    }
    return bits;
  }

  /**
   * Writes into {@code hits} the codes of the tile whose distance to the query is below {@code limit};
   * returns whether there is any. {@code query} indexes the query's first pick.
   */
  static boolean candidates(long[] variants, int[] picks, int query, int steps, int limit,
      long[] hits) {
    LongVector zero = LongVector.zero(SPECIES);
    // The distance of each code as a bit-sliced counter c1 … c64, summed by carry-save adders, STEP
    // triples (weight-1 sums, weight-2 carries) per step. A full adder of (c, a, b) is
    // u = c ^ a, carry = BITWISE_BLEND(c, b, u) (b where c and a differ, else c), sum = u ^ b.
    // No helper methods here: past a node budget per compiled method C2 still inlines the Vector API's
    // own @ForceInline methods but not ours, and a vector boxed at a failed inline costs far more.
    // Seed: the two lead picks summed into c1, c2, c4 (zero vectors when the batch does not seed).
    int pa = picks[query];
    int pb = picks[query + 1];
    LongVector sa = LongVector.fromArray(SPECIES, variants, pa & 0xFFFF);
    LongVector sb = LongVector.fromArray(SPECIES, variants, pb & 0xFFFF);
    LongVector ka = LongVector.fromArray(SPECIES, variants, pa >>> 16);
    LongVector kb = LongVector.fromArray(SPECIES, variants, pb >>> 16);
    LongVector c1 = sa.lanewise(XOR, sb);
    LongVector seedTwos = sa.and(sb);
    LongVector kx = ka.lanewise(XOR, kb);
    LongVector c2 = kx.lanewise(XOR, seedTwos);
    LongVector c4 = ka.lanewise(BITWISE_BLEND, seedTwos, kx);
    LongVector c8 = zero;
    LongVector c16 = zero;
    LongVector c32 = zero;
    LongVector c64 = zero;
    for (int step = 0, t = query + LEAD; step < steps; step++, t += STEP) {
      int p0 = picks[t];
      LongVector s0 = LongVector.fromArray(SPECIES, variants, p0 & 0xFFFF);
      int p1 = picks[t + 1];
      LongVector s1 = LongVector.fromArray(SPECIES, variants, p1 & 0xFFFF);
      int p2 = picks[t + 2];
      LongVector s2 = LongVector.fromArray(SPECIES, variants, p2 & 0xFFFF);
      int p3 = picks[t + 3];
      LongVector s3 = LongVector.fromArray(SPECIES, variants, p3 & 0xFFFF);
      LongVector k0 = LongVector.fromArray(SPECIES, variants, p0 >>> 16);
      LongVector k1 = LongVector.fromArray(SPECIES, variants, p1 >>> 16);
      LongVector k2 = LongVector.fromArray(SPECIES, variants, p2 >>> 16);
      LongVector k3 = LongVector.fromArray(SPECIES, variants, p3 >>> 16);
      // Each weight first adds the step's new inputs among themselves (a tree, free of the loop), then
      // the running counter once: every counter is one adder deep per step, so steps overlap in the core.
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
      // Weight 8: two carries; then at most 72 / 16 sixteens rippled into weights 16 to 64, exactly.
      u = c8.lanewise(XOR, eightsA);
      LongVector sixteens = c8.lanewise(BITWISE_BLEND, eightsB, u);
      c8 = u.lanewise(XOR, eightsB);
      LongVector carry32 = c16.and(sixteens);
      c16 = c16.lanewise(XOR, sixteens);
      LongVector carry64 = c32.and(carry32);
      c32 = c32.lanewise(XOR, carry32);
      c64 = c64.or(carry64);
    }
    // count < limit  <=>  count + (128 - limit) < 128  <=>  no carry out of bit 6 of that sum. The
    // carry out of bit k is the majority of (c_k, carry in, addend bit k): the addend bit where c_k and
    // the carry differ, else c_k. Addend bits are loaded as all-0 / all-1 vectors: no branch on the
    // limit, so the compiled shape does not depend on which limits the profile saw.
    int addend = 128 - limit;
    LongVector carry = zero;
    LongVector bit = LongVector.fromArray(SPECIES, ZERO_ONES, (addend & 1) * LANES);
    carry = c1.lanewise(BITWISE_BLEND, bit, c1.lanewise(XOR, carry));
    bit = LongVector.fromArray(SPECIES, ZERO_ONES, (addend >>> 1 & 1) * LANES);
    carry = c2.lanewise(BITWISE_BLEND, bit, c2.lanewise(XOR, carry));
    bit = LongVector.fromArray(SPECIES, ZERO_ONES, (addend >>> 2 & 1) * LANES);
    carry = c4.lanewise(BITWISE_BLEND, bit, c4.lanewise(XOR, carry));
    bit = LongVector.fromArray(SPECIES, ZERO_ONES, (addend >>> 3 & 1) * LANES);
    carry = c8.lanewise(BITWISE_BLEND, bit, c8.lanewise(XOR, carry));
    bit = LongVector.fromArray(SPECIES, ZERO_ONES, (addend >>> 4 & 1) * LANES);
    carry = c16.lanewise(BITWISE_BLEND, bit, c16.lanewise(XOR, carry));
    bit = LongVector.fromArray(SPECIES, ZERO_ONES, (addend >>> 5 & 1) * LANES);
    carry = c32.lanewise(BITWISE_BLEND, bit, c32.lanewise(XOR, carry));
    bit = LongVector.fromArray(SPECIES, ZERO_ONES, (addend >>> 6 & 1) * LANES);
    carry = c64.lanewise(BITWISE_BLEND, bit, c64.lanewise(XOR, carry));
    LongVector below = carry.lanewise(XOR, LongVector.fromArray(SPECIES, ZERO_ONES, ONES));
    if (below.compare(EQ, zero).allTrue()) {
      return false;
    }
    below.intoArray(hits, 0);
    return true;
  }

  /** Offers the codes flagged in {@code hits}, in ascending ordinal order, with their exact distance. */
  private static void offer(long[] codes, long query, int base, long[] hits, Collector out) {
    long rows = hits[0] | hits[1] | hits[2] | hits[3];
    while (rows != 0) {
      int r = Long.numberOfTrailingZeros(rows);
      rows &= rows - 1;
      for (int m = 0; m < LANES; m++) {
        if ((hits[m] >>> r & 1) != 0) {
          int ordinal = base + r * LANES + m;
          int d = Long.bitCount(codes[ordinal] ^ query);
          if (d < out.limit) {
            out.offer(d, ordinal);
          }
        }
      }
    }
  }
}
