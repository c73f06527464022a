package dev.pipit.train.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hamming-ranking retrieval metrics for single-label data (relevant = same label), following the
 * protocol of the fine-grained hashing papers (METHOD.md, "Evaluation protocol").
 *
 * <p>Every query ranks the <em>whole</em> database by Hamming distance {@code d = ½(c − qᵀb)} for
 * ±1 codes; ties are broken by database index, so the ranking is the stable order (distance, index)
 * and the result is reproducible (numpy's {@code argsort} leaves ties open). {@code AP_q = (1/R_q)
 * Σ_{k=1..R_q} k / pos_k}, with {@code pos_k} the 1-based rank of the {@code k}-th relevant item; a
 * query with {@code R_q = 0} counts with AP 0 and stays in the mean.
 *
 * <p>Distances take only {@code bits + 1} values, so the ranking is a counting sort: one pass
 * computes the distances and a histogram of all and of relevant items per distance; after prefix
 * sums, a second pass in index order gives each relevant item its rank ({@code start[d] + position
 * within bucket d}) and its relevant-order {@code k} — O(database) per query and no sorted array is
 * materialised.
 *
 * <p>Queries are split into fixed blocks handed to worker threads; sums are combined in block and
 * query order, so the result is bit-for-bit the same for any thread count.
 */
public final class RetrievalEvaluator {

  /** Queries per work unit; fixed, so that floating sums combine in the same order on every run. */
  static final int BLOCK = 64;

  private RetrievalEvaluator() {}

  /** Evaluates with {@link EvalOptions#defaults()}. */
  public static RetrievalMetrics evaluate(
      CodeSet queries, int[] queryLabels, CodeSet database, int[] databaseLabels) {
    return evaluate(queries, queryLabels, database, databaseLabels, EvalOptions.defaults());
  }

  /**
   * Computes mAP, precision@k and the PR curve.
   *
   * @param queries query codes (the test split)
   * @param queryLabels one label per query
   * @param database database codes (the training split), same code length
   * @param databaseLabels one label per database item
   */
  public static RetrievalMetrics evaluate(
      CodeSet queries,
      int[] queryLabels,
      CodeSet database,
      int[] databaseLabels,
      EvalOptions options) {
    Run run = new Run(queries, queryLabels, database, databaseLabels, options);
    run.execute();
    return run.metrics();
  }

  /**
   * Per-query average precision, in query order (the values {@link #evaluate} averages into mAP).
   */
  public static double[] averagePrecisions(
      CodeSet queries,
      int[] queryLabels,
      CodeSet database,
      int[] databaseLabels,
      EvalOptions options) {
    Run run = new Run(queries, queryLabels, database, databaseLabels, options);
    run.execute();
    return run.ap.clone();
  }

  /** State of one evaluation: inputs, per-query APs and per-block partial sums. */
  private static final class Run {
    final CodeSet queries;
    final int[] queryLabels;
    final CodeSet database;
    final int[] databaseLabels;
    final EvalOptions options;
    final int bits;
    final int n;
    final int[] cutoffs;
    final double[] ap;
    final int blocks;
    final double[][] blockPrecision;
    final int[][] blockRetrieving;
    final double[][] blockRecall;
    final long[][] blockHits;
    final int[] blockWithRelevant;

    Run(
        CodeSet queries,
        int[] queryLabels,
        CodeSet database,
        int[] databaseLabels,
        EvalOptions options) {
      if (queries.bits() != database.bits()) {
        throw new IllegalArgumentException(
            "query codes have " + queries.bits() + " bits, database codes " + database.bits());
      }
      if (queryLabels.length != queries.size()) {
        throw new IllegalArgumentException(
            queries.size() + " query codes but " + queryLabels.length + " labels");
      }
      if (databaseLabels.length != database.size()) {
        throw new IllegalArgumentException(
            database.size() + " database codes but " + databaseLabels.length + " labels");
      }
      if (queries.size() == 0 || database.size() == 0) {
        throw new IllegalArgumentException("need at least one query and one database item");
      }
      this.queries = queries;
      this.queryLabels = queryLabels;
      this.database = database;
      this.databaseLabels = databaseLabels;
      this.options = options;
      this.bits = queries.bits();
      this.n = database.size();
      this.cutoffs = options.precisionAtK().stream().mapToInt(k -> Math.min(k, n)).toArray();
      this.ap = new double[queries.size()];
      this.blocks = (queries.size() + BLOCK - 1) / BLOCK;
      this.blockPrecision = new double[blocks][];
      this.blockRetrieving = new int[blocks][];
      this.blockRecall = new double[blocks][];
      this.blockHits = new long[blocks][];
      this.blockWithRelevant = new int[blocks];
    }

    void execute() {
      AtomicInteger next = new AtomicInteger();
      int threads = Math.min(options.threads(), blocks);
      if (threads == 1) {
        new Worker(this).drain(next);
        return;
      }
      try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          futures.add(pool.submit(() -> new Worker(this).drain(next)));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("evaluation interrupted", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("evaluation failed", e.getCause());
      }
    }

    RetrievalMetrics metrics() {
      double apSum = 0;
      for (int q = 0; q < ap.length; q++) {
        apSum += ap[q];
      }
      double[] precision = new double[bits + 1];
      int[] retrieving = new int[bits + 1];
      double[] recall = new double[bits + 1];
      long[] hits = new long[cutoffs.length];
      int withRelevant = 0;
      for (int b = 0; b < blocks; b++) {
        for (int r = 0; r <= bits; r++) {
          precision[r] += blockPrecision[b][r];
          retrieving[r] += blockRetrieving[b][r];
          recall[r] += blockRecall[b][r];
        }
        for (int t = 0; t < cutoffs.length; t++) {
          hits[t] += blockHits[b][t];
        }
        withRelevant += blockWithRelevant[b];
      }
      int withoutRelevant = queries.size() - withRelevant;
      List<PrPoint> curve = new ArrayList<>(bits + 1);
      for (int r = 0; r <= bits; r++) {
        double p = retrieving[r] == 0 ? 1.0 : precision[r] / retrieving[r];
        double rec = withRelevant == 0 ? 0.0 : recall[r] / withRelevant;
        curve.add(new PrPoint(r, p, rec, retrieving[r]));
      }
      List<PrecisionAtK> pAtK = new ArrayList<>(cutoffs.length);
      for (int t = 0; t < cutoffs.length; t++) {
        pAtK.add(
            new PrecisionAtK(
                options.precisionAtK().get(t), hits[t] / ((double) cutoffs[t] * queries.size())));
      }
      return new RetrievalMetrics(
          bits,
          queries.size(),
          n,
          options.dropLast(),
          apSum / queries.size(),
          withoutRelevant,
          pAtK,
          curve);
    }
  }

  /** One thread's scratch buffers; processes whole blocks. */
  private static final class Worker {
    private final Run run;
    private final short[] dist;
    private final int[] count;
    private final int[] relevant;
    private final int[] cursor;
    private final int[] relCursor;
    private final int[] firstCutoff;

    Worker(Run run) {
      this.run = run;
      this.dist = new short[run.n];
      this.count = new int[run.bits + 1];
      this.relevant = new int[run.bits + 1];
      this.cursor = new int[run.bits + 1];
      this.relCursor = new int[run.bits + 1];
      this.firstCutoff = new int[run.cutoffs.length + 1];
    }

    void drain(AtomicInteger next) {
      int b;
      while ((b = next.getAndIncrement()) < run.blocks) {
        double[] precision = new double[run.bits + 1];
        int[] retrieving = new int[run.bits + 1];
        double[] recall = new double[run.bits + 1];
        long[] hits = new long[run.cutoffs.length];
        int withRelevant = 0;
        int end = Math.min(run.queries.size(), (b + 1) * BLOCK);
        for (int q = b * BLOCK; q < end; q++) {
          if (query(q, precision, retrieving, recall, hits)) {
            withRelevant++;
          }
        }
        run.blockPrecision[b] = precision;
        run.blockRetrieving[b] = retrieving;
        run.blockRecall[b] = recall;
        run.blockHits[b] = hits;
        run.blockWithRelevant[b] = withRelevant;
      }
    }

    /**
     * Evaluates query {@code q}, adding to the block sums; returns whether it has a relevant item.
     */
    private boolean query(
        int q, double[] precision, int[] retrieving, double[] recall, long[] hits) {
      int label = run.queryLabels[q];
      int[] dbLabels = run.databaseLabels;
      Arrays.fill(count, 0);
      Arrays.fill(relevant, 0);
      distances(q, label);

      int total = 0;
      int retrieved = 0;
      int relRetrieved = 0;
      for (int d = 0; d <= run.bits; d++) {
        total += relevant[d];
      }
      for (int r = 0; r <= run.bits; r++) {
        retrieved += count[r];
        relRetrieved += relevant[r];
        if (retrieved > 0) {
          precision[r] += relRetrieved / (double) retrieved;
          retrieving[r]++;
        }
        if (total > 0) {
          recall[r] += relRetrieved / (double) total;
        }
      }
      if (total == 0) {
        run.ap[q] = 0.0;
        return false;
      }

      int start = 0;
      int relStart = 0;
      for (int d = 0; d <= run.bits; d++) {
        cursor[d] = start;
        relCursor[d] = relStart;
        start += count[d];
        relStart += relevant[d];
      }
      Arrays.fill(firstCutoff, 0);
      int[] cutoffs = run.cutoffs;
      boolean dropLast = run.options.dropLast();
      int n = run.n;
      double sum = 0;
      int kept = total;
      for (int j = 0; j < n; j++) {
        int d = dist[j];
        if (relevant[d] == 0) {
          continue; // ranks inside buckets without relevant items are never needed
        }
        int rank = ++cursor[d];
        if (dbLabels[j] != label) {
          continue;
        }
        int k = ++relCursor[d];
        int t = 0;
        while (t < cutoffs.length && cutoffs[t] < rank) {
          t++;
        }
        firstCutoff[t]++;
        if (dropLast && rank == n) {
          kept--; // the last-ranked item is relevant and dropped: it is the R-th, so earlier k are
          // intact
          continue;
        }
        sum += k / (double) rank;
      }
      run.ap[q] = kept == 0 ? 0.0 : sum / kept;
      long covered = 0;
      for (int t = 0; t < cutoffs.length; t++) {
        covered += firstCutoff[t];
        hits[t] += covered;
      }
      return true;
    }

    /** Pass 1: distances and the per-distance histograms of all and of relevant items. */
    private void distances(int q, int label) {
      long[] db = run.database.data();
      long[] qs = run.queries.data();
      int[] dbLabels = run.databaseLabels;
      int n = run.n;
      int words = run.database.wordsPerCode();
      if (words == 1) {
        long code = qs[q];
        for (int j = 0; j < n; j++) {
          int d = Long.bitCount(code ^ db[j]);
          dist[j] = (short) d;
          count[d]++;
          if (dbLabels[j] == label) {
            relevant[d]++;
          }
        }
      } else {
        int base = q * words;
        for (int j = 0; j < n; j++) {
          int d = 0;
          int off = j * words;
          for (int w = 0; w < words; w++) {
            d += Long.bitCount(qs[base + w] ^ db[off + w]);
          }
          dist[j] = (short) d;
          count[d]++;
          if (dbLabels[j] == label) {
            relevant[d]++;
          }
        }
      }
    }
  }
}
