package dev.pipit.index;

/**
 * Multi-index hashing (Norouzi, Punjani, Fleet, TPAMI 2014) for exact k-NN and radius search, built
 * over the first {@link #size} codes of one gallery generation.
 *
 * <p>The {@code bits} are cut into {@code m} disjoint substrings of about {@code log2(n)} bits;
 * table {@code j} maps substring {@code j} of each code to the ordinals holding it (CSR arrays,
 * direct-addressed, ordinals ascending). By the pigeonhole principle a code within distance {@code
 * d} of the query has some substring within {@code floor(d/m)} of the query's. After probing every
 * table at substring radius {@code r - 1} and tables {@code 0..j} at radius {@code r}, every code
 * with distance {@code <= m*r + j} has been seen; the k-NN search stops as soon as its k-th best
 * distance is within that bound. Candidates are checked exactly, so results equal the linear
 * scan's.
 *
 * <p>Each table stores, next to the ordinals, a copy of the codes in bucket order: a probe then
 * reads its candidates sequentially instead of one cache miss each in the gallery. That costs
 * {@code tables × (4 + 8 × words)} bytes per entry, on top of the gallery. The copy also
 * de-duplicates for free: a candidate met in table {@code j} at radius {@code r} was already met
 * iff some table has substring distance {@code < r}, or a table before {@code j} has exactly {@code
 * r}; both are computed from the copy, so no visited set is needed.
 */
final class MultiIndexHash {

  /** Longest substring; {@code 2^24} buckets (64 MiB of offsets) per table at most. */
  static final int MAX_SUBSTRING_BITS = 24;

  final Generation generation;
  final int size;
  final int bits;
  final int words;
  final int tables;
  private final int[] starts;
  private final int[] lengths;
  private final int[][] offsets;
  private final int[][] ordinals;
  private final long[][] bucketCodes;

  private MultiIndexHash(Generation generation, LongChunks codes, int size) {
    this.generation = generation;
    this.size = size;
    this.bits = generation.bits;
    this.words = generation.words;
    this.tables = tablesFor(bits, size);
    this.starts = new int[tables];
    this.lengths = new int[tables];
    for (int j = 0, start = 0; j < tables; j++) {
      lengths[j] = bits / tables + (j < bits % tables ? 1 : 0);
      starts[j] = start;
      start += lengths[j];
    }
    this.offsets = new int[tables][];
    this.ordinals = new int[tables][];
    this.bucketCodes = new long[tables][];
    for (int j = 0; j < tables; j++) {
      buildTable(j, codes);
    }
  }

  /** Builds the tables over the codes of {@code view}. */
  static MultiIndexHash build(View view) {
    return new MultiIndexHash(view.generation, view.codes, view.count);
  }

  /**
   * Number of tables for {@code n} codes of {@code bits} bits: substrings of about {@code log2(n)}
   * bits.
   */
  static int tablesFor(int bits, int n) {
    int substring =
        Math.max(4, Math.min(MAX_SUBSTRING_BITS, 64 - Long.numberOfLeadingZeros(Math.max(1, n))));
    return Math.max(1, Math.min(bits, (bits + substring - 1) / substring));
  }

  private void buildTable(int j, LongChunks codes) {
    // Counting sort by substring: ordinals stay ascending inside each bucket.
    int[] offs = new int[(1 << lengths[j]) + 1];
    for (int i = 0; i < size; i++) {
      offs[substring(codes, i, j) + 1]++;
    }
    for (int b = 1; b < offs.length; b++) {
      offs[b] += offs[b - 1];
    }
    int[] fill = offs.clone();
    int[] ords = new int[size];
    long[] copies = new long[Math.multiplyExact(size, words)];
    for (int i = 0; i < size; i++) {
      int p = fill[substring(codes, i, j)]++;
      ords[p] = i;
      for (int w = 0; w < words; w++) {
        copies[p * words + w] = codes.get(i, w);
      }
    }
    offsets[j] = offs;
    ordinals[j] = ords;
    bucketCodes[j] = copies;
  }

  private int substring(LongChunks codes, int ordinal, int j) {
    return extract(codes, ordinal, j, null);
  }

  private int extract(LongChunks codes, int ordinal, int j, long[] query) {
    int start = starts[j];
    int len = lengths[j];
    int w = start >>> 6;
    int shift = start & 63;
    long lo = query != null ? query[w] : codes.get(ordinal, w);
    long value = lo >>> shift;
    if (shift + len > 64) { // the substring straddles two words
      long hi = query != null ? query[w + 1] : codes.get(ordinal, w + 1);
      value |= hi << (64 - shift);
    }
    return (int) (value & ((1L << len) - 1));
  }

  /** Memory of the tables in bytes. */
  long bytes() {
    long total = 0;
    for (int j = 0; j < tables; j++) {
      total += 4L * offsets[j].length + 4L * ordinals[j].length + 8L * bucketCodes[j].length;
    }
    return total;
  }

  /**
   * Exact k-NN over ordinals {@code [0, size)} into {@code heap} (which may already hold later
   * ordinals).
   *
   * @param budget give up after this many probes plus candidate checks; {@code Long.MAX_VALUE} for
   *     none
   * @return the number of candidates checked exactly (faiss's {@code ndis}), or {@code -1} when the
   *     budget ran out and the caller must scan instead
   */
  long searchKnn(View view, long[] query, TopKHeap heap, long budget) {
    int[] keys = queryKeys(query);
    long ndis = 0;
    long cost = 0;
    int maxLength = lengths[0];
    for (int r = 0; r <= maxLength; r++) {
      for (int j = 0; j < tables; j++) {
        if (r <= lengths[j]) {
          long[] counters = probe(view, query, keys[j], j, r, heap, null, 0);
          ndis += counters[0];
          cost += counters[0] + counters[1];
        }
        long guaranteed = (long) tables * r + j;
        if (heap.isFull() && heap.worstDistance() <= guaranteed) {
          return ndis;
        }
        if (cost > budget) {
          return -1;
        }
      }
    }
    return ndis; // every substring radius probed: all codes seen
  }

  /**
   * Every code within {@code radius} among ordinals {@code [0, size)} into {@code out}.
   *
   * @return the number of candidates checked exactly
   */
  long searchRadius(View view, long[] query, int radius, RadiusCollector out) {
    int[] keys = queryKeys(query);
    long ndis = 0;
    int subRadius = radius / tables;
    for (int r = 0;
        r <= subRadius;
        r++) { // the same stage order as k-NN: de-duplication relies on it
      for (int j = 0; j < tables; j++) {
        if (r <= lengths[j]) {
          ndis += probe(view, query, keys[j], j, r, null, out, radius)[0];
        }
      }
    }
    return ndis;
  }

  private int[] queryKeys(long[] query) {
    int[] keys = new int[tables];
    for (int j = 0; j < tables; j++) {
      keys[j] = extract(null, 0, j, query);
    }
    return keys;
  }

  /**
   * Probes every bucket of table {@code j} at substring distance exactly {@code r}; {checked,
   * probes}.
   */
  private long[] probe(
      View view,
      long[] query,
      int key,
      int j,
      int r,
      TopKHeap heap,
      RadiusCollector radiusOut,
      int radius) {
    int[] offs = offsets[j];
    int[] ords = ordinals[j];
    long[] copies = bucketCodes[j];
    long checked = 0;
    long probes = 0;
    // Gosper's hack enumerates every len-bit mask with r bits set.
    long limit = 1L << lengths[j];
    for (long mask = (1L << r) - 1; mask < limit; mask = nextMask(mask)) {
      int bucket = key ^ (int) mask;
      probes++;
      int start = offs[bucket];
      int end = offs[bucket + 1];
      checked += end - start;
      for (int p = start; p < end; p++) {
        int d = distance(copies, p, query);
        // Cheap tests first; the liveness check touches the gallery (a cache miss) and comes last.
        if (heap != null) {
          if (heap.wouldAccept(d, ords[p]) && !seenBefore(copies, p, query, j, r)) {
            heap.offerAnyOrder(d, ords[p], view);
          }
        } else if (d <= radius && !seenBefore(copies, p, query, j, r) && view.isLive(ords[p])) {
          radiusOut.add(Collector.key(d, ords[p]));
        }
      }
      if (r == 0) {
        break;
      }
    }
    return new long[] {checked, probes};
  }

  private int distance(long[] copies, int p, long[] query) {
    int d = 0;
    int base = p * words;
    for (int w = 0; w < words; w++) {
      d += Long.bitCount(copies[base + w] ^ query[w]);
    }
    return d;
  }

  /**
   * Whether the candidate at {@code p} of table {@code j} was met at an earlier (radius, table)
   * stage.
   */
  private boolean seenBefore(long[] copies, int p, long[] query, int j, int r) {
    long[] code = new long[words];
    System.arraycopy(copies, p * words, code, 0, words);
    for (int t = 0; t < tables; t++) {
      if (t == j) {
        continue;
      }
      int sd = Integer.bitCount(extract(null, 0, t, code) ^ extract(null, 0, t, query));
      if (sd < r || (sd == r && t < j)) {
        return true;
      }
    }
    return false;
  }

  private static long nextMask(long mask) {
    long c = mask & -mask;
    long next = mask + c;
    return (((next ^ mask) >>> 2) / c) | next;
  }
}
