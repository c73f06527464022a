package dev.pipit.index;

/**
 * Multi-index hashing (Norouzi, Punjani, Fleet, TPAMI 2014) for exact k-NN and radius search, built over
 * the first {@link #size} codes of one gallery generation.
 *
 * <p>The {@code bits} are cut into {@code m} disjoint substrings of about {@code log2(n)} bits; table
 * {@code j} maps substring {@code j} of each code to the ordinals holding it (CSR arrays, direct-addressed,
 * ordinals ascending). By the pigeonhole principle a code within distance {@code d} of the query has some
 * substring within {@code floor(d/m)} of the query's. After probing every table at substring radius
 * {@code r - 1} and tables {@code 0..j} at radius {@code r}, every code with distance {@code <= m*r + j}
 * has been seen; the k-NN search stops as soon as its k-th best distance is within that bound. Candidates
 * are de-duplicated and checked exactly, so results equal the linear scan's.
 */
final class MultiIndexHash {

  /** Longest substring; {@code 2^24} buckets (64 MiB of offsets) per table at most. */
  static final int MAX_SUBSTRING_BITS = 24;

  final Gallery gallery;
  final int size;
  final int bits;
  final int words;
  final int tables;
  private final int[] starts;
  private final int[] lengths;
  private final int[][] offsets;
  private final int[][] ordinals;

  private MultiIndexHash(Gallery gallery, long[] codes, int size) {
    this.gallery = gallery;
    this.size = size;
    this.bits = gallery.bits;
    this.words = gallery.words;
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
    for (int j = 0; j < tables; j++) {
      buildTable(j, codes);
    }
  }

  /** Builds the tables over the codes of {@code view}. */
  static MultiIndexHash build(View view) {
    return new MultiIndexHash(view.gallery, view.codes, view.count);
  }

  /** Number of tables for {@code n} codes of {@code bits} bits: substrings of about {@code log2(n)} bits. */
  static int tablesFor(int bits, int n) {
    int substring = Math.max(4, Math.min(MAX_SUBSTRING_BITS, 64 - Long.numberOfLeadingZeros(Math.max(1, n))));
    return Math.max(1, Math.min(bits, (bits + substring - 1) / substring));
  }

  private void buildTable(int j, long[] codes) {
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
    for (int i = 0; i < size; i++) {
      ords[fill[substring(codes, i, j)]++] = i;
    }
    offsets[j] = offs;
    ordinals[j] = ords;
  }

  private int substring(long[] codes, int ordinal, int j) {
    return extract(codes, ordinal, j, null);
  }

  private int extract(long[] codes, int ordinal, int j, long[] query) {
    int start = starts[j];
    int len = lengths[j];
    int w = start >>> 6;
    int shift = start & 63;
    long lo = query != null ? query[w] : codes[CodeLayout.index(ordinal, words, w)];
    long value = lo >>> shift;
    if (shift + len > 64) { // the substring straddles two words
      long hi = query != null ? query[w + 1] : codes[CodeLayout.index(ordinal, words, w + 1)];
      value |= hi << (64 - shift);
    }
    return (int) (value & ((1L << len) - 1));
  }

  /** Memory of the tables in bytes. */
  long bytes() {
    long total = 0;
    for (int j = 0; j < tables; j++) {
      total += 4L * offsets[j].length + 4L * ordinals[j].length;
    }
    return total;
  }

  /**
   * Exact k-NN over ordinals {@code [0, size)} into {@code heap} (which may already hold later ordinals).
   *
   * @param budget give up after this many probes plus candidate checks; {@code Long.MAX_VALUE} for none
   * @return the number of candidates checked exactly (faiss's {@code ndis}), or {@code -1} when the budget
   *     ran out and the caller must scan instead
   */
  long searchKnn(View view, long[] query, TopKHeap heap, long budget) {
    int[] keys = queryKeys(query);
    OrdinalSet seen = new OrdinalSet();
    long ndis = 0;
    long cost = 0;
    int maxLength = lengths[0];
    for (int r = 0; r <= maxLength; r++) {
      for (int j = 0; j < tables; j++) {
        if (r <= lengths[j]) {
          long[] counters = probe(view, query, keys[j], j, r, seen, heap, null, 0);
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
    OrdinalSet seen = new OrdinalSet();
    long ndis = 0;
    int subRadius = radius / tables;
    for (int j = 0; j < tables; j++) {
      for (int r = 0; r <= Math.min(subRadius, lengths[j]); r++) {
        ndis += probe(view, query, keys[j], j, r, seen, null, out, radius)[0];
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

  /** Probes every bucket of table {@code j} at substring distance exactly {@code r}; {checked, probes}. */
  private long[] probe(View view, long[] query, int key, int j, int r, OrdinalSet seen, TopKHeap heap,
      RadiusCollector radiusOut, int radius) {
    int len = lengths[j];
    int[] offs = offsets[j];
    int[] ords = ordinals[j];
    long checked = 0;
    long probes = 0;
    // Gosper's hack enumerates every len-bit mask with r bits set.
    long limit = 1L << len;
    for (long mask = (1L << r) - 1; mask < limit; mask = nextMask(mask)) {
      int bucket = key ^ (int) mask;
      probes++;
      for (int p = offs[bucket], end = offs[bucket + 1]; p < end; p++) {
        int ordinal = ords[p];
        if (!seen.add(ordinal)) {
          continue;
        }
        checked++;
        int d = CodeLayout.distance(view.codes, words, ordinal, query);
        if (heap != null) {
          heap.offerAnyOrder(d, ordinal, view);
        } else if (d <= radius && view.isLive(ordinal)) {
          radiusOut.add(Collector.key(d, ordinal));
        }
      }
      if (r == 0) {
        break;
      }
    }
    return new long[] {checked, probes};
  }

  private static long nextMask(long mask) {
    long c = mask & -mask;
    long next = mask + c;
    return (((next ^ mask) >>> 2) / c) | next;
  }
}
