package dev.pipit.train.eval;

/**
 * The database order one query sees: ascending Hamming distance, ties by ascending database index —
 * the same order {@link RetrievalEvaluator} scores. Used for retrieval grids and spot checks; it is
 * a counting sort, O(database + bits).
 */
public final class HammingRanking {

  private HammingRanking() {}

  /** All database indices in ranking order for query {@code q}. */
  public static int[] rank(CodeSet queries, int q, CodeSet database) {
    return topK(queries, q, database, database.size());
  }

  /**
   * The first {@code min(k, database size)} database indices in ranking order for query {@code q}.
   */
  public static int[] topK(CodeSet queries, int q, CodeSet database, int k) {
    if (queries.bits() != database.bits()) {
      throw new IllegalArgumentException(
          "query codes have " + queries.bits() + " bits, database codes " + database.bits());
    }
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, got " + k);
    }
    int n = database.size();
    int bits = database.bits();
    int[] dist = new int[n];
    int[] next = new int[bits + 2];
    for (int j = 0; j < n; j++) {
      dist[j] = queries.distance(q, database, j);
      next[dist[j] + 1]++;
    }
    for (int d = 1; d <= bits + 1; d++) {
      next[d] += next[d - 1]; // next[d] = first rank (0-based) of distance d
    }
    int keep = Math.min(k, n);
    int[] top = new int[keep];
    for (int j = 0; j < n; j++) {
      int rank = next[dist[j]]++;
      if (rank < keep) {
        top[rank] = j;
      }
    }
    return top;
  }

  /** The top {@code k} for every query, as rows. */
  public static int[][] topK(CodeSet queries, CodeSet database, int k) {
    int[][] rows = new int[queries.size()][];
    for (int q = 0; q < rows.length; q++) {
      rows[q] = topK(queries, q, database, k);
    }
    return rows;
  }
}
