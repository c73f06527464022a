package dev.pipit.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * Runs searches on a {@link View}: picks linear scan or multi-index hashing, splits large scans
 * over threads, and merges partial results by key so that every path returns the same ordered list.
 */
final class Searcher {

  /** Fewest codes per thread worth a task hand-off. */
  static final int PARALLEL_MIN = 1 << 18;

  /** Above this k, top-k by counting per distance rather than a heap. */
  static final int HEAP_MAX_K = 32;

  /** Smallest gallery for which {@link SearchStrategy#AUTO} builds multi-index hashing. */
  static final int MIH_MIN = 1 << 16;

  /** Most tables for which {@link SearchStrategy#AUTO} builds multi-index hashing. */
  static final int MIH_MAX_TABLES = 4;

  final HammingKernel kernel;
  final SearchStrategy strategy;
  private final ExecutorService pool;
  private final int threads;
  private final MihMaintainer mih;
  private final int parallelMin;
  private final IndexListener listener;

  final LongAdder linearSearches = new LongAdder();
  final LongAdder mihSearches = new LongAdder();
  final LongAdder mihFallbacks = new LongAdder();
  final LongAdder batchedQueries = new LongAdder();
  final LongAdder radiusSearches = new LongAdder();
  final LongAdder ndis = new LongAdder();

  Searcher(
      HammingKernel kernel,
      SearchStrategy strategy,
      ExecutorService pool,
      int threads,
      MihMaintainer mih) {
    this(kernel, strategy, pool, threads, mih, PARALLEL_MIN, IndexListener.NONE);
  }

  /** With {@code listener} told of every pass. */
  Searcher(
      HammingKernel kernel,
      SearchStrategy strategy,
      ExecutorService pool,
      int threads,
      MihMaintainer mih,
      IndexListener listener) {
    this(kernel, strategy, pool, threads, mih, PARALLEL_MIN, listener);
  }

  /** With {@code parallelMin} codes per thread at least (tests use small values). */
  Searcher(
      HammingKernel kernel,
      SearchStrategy strategy,
      ExecutorService pool,
      int threads,
      MihMaintainer mih,
      int parallelMin) {
    this(kernel, strategy, pool, threads, mih, parallelMin, IndexListener.NONE);
  }

  private Searcher(
      HammingKernel kernel,
      SearchStrategy strategy,
      ExecutorService pool,
      int threads,
      MihMaintainer mih,
      int parallelMin,
      IndexListener listener) {
    this.listener = listener;
    this.parallelMin = parallelMin;
    this.kernel = kernel;
    this.strategy = strategy;
    this.pool = pool;
    this.threads = Math.max(1, threads);
    this.mih = mih;
  }

  long mihBytes() {
    return mih.bytes();
  }

  /** Top-k keys {@code (dist << 32) | ordinal}, ascending. */
  long[] knn(View view, long[] query, int k) {
    long start = System.nanoTime();
    MultiIndexHash hash = mih.usable(view, strategy);
    if (hash != null) {
      TopKHeap heap = new TopKHeap(view, k);
      kernel.scan(
          view.codes,
          view.generation.words,
          query,
          Math.min(hash.size, view.count),
          view.count,
          heap);
      long budget =
          strategy == SearchStrategy.MIH
              ? Long.MAX_VALUE
              : Math.max(1024, (long) view.count * view.generation.words / 32);
      long checked = hash.searchKnn(view, query, heap, budget);
      if (checked >= 0) {
        mihSearches.increment();
        ndis.add(checked);
        long[] keys = heap.sortedKeys();
        listener.scanned(IndexListener.Pass.MULTI_INDEX, System.nanoTime() - start);
        return keys;
      }
      mihFallbacks.increment();
    }
    linearSearches.increment();
    long[] keys =
        scanParallel(
            view,
            k,
            (from, to) -> {
              Collector out = topK(view, k);
              kernel.scan(view.codes, view.generation.words, query, from, to, out);
              return new Collector[] {out};
            })[0];
    listener.scanned(IndexListener.Pass.LINEAR, System.nanoTime() - start);
    return keys;
  }

  /** Top-k keys for each query, in one pass over memory per thread. */
  long[][] knnBatch(View view, long[][] queries, int k) {
    if (mih.usable(view, strategy) != null) {
      long[][] results = new long[queries.length][];
      for (int q = 0; q < queries.length; q++) {
        results[q] = knn(view, queries[q], k);
      }
      return results;
    }
    long start = System.nanoTime();
    long[][] keys =
        scanParallel(
            view,
            k,
            (from, to) -> {
              Collector[] outs = new Collector[queries.length];
              for (int q = 0; q < outs.length; q++) {
                outs[q] = topK(view, k);
              }
              kernel.scanBatch(view.codes, view.generation.words, queries, from, to, outs);
              return outs;
            });
    listener.scanned(IndexListener.Pass.BATCHED, System.nanoTime() - start);
    return keys;
  }

  /** Keys of every live code within {@code radius}, ascending. */
  long[] radius(View view, long[] query, int radius) {
    radiusSearches.increment();
    long start = System.nanoTime();
    MultiIndexHash hash = mih.usable(view, strategy);
    if (hash != null && (strategy == SearchStrategy.MIH || radius / hash.tables <= 1)) {
      RadiusCollector out = new RadiusCollector(view, radius);
      kernel.scan(
          view.codes,
          view.generation.words,
          query,
          Math.min(hash.size, view.count),
          view.count,
          out);
      ndis.add(hash.searchRadius(view, query, radius, out));
      long[] keys = out.sortedKeys();
      listener.scanned(IndexListener.Pass.MULTI_INDEX, System.nanoTime() - start);
      return keys;
    }
    long[] keys =
        scanParallel(
            view,
            Integer.MAX_VALUE,
            (from, to) -> {
              Collector out = new RadiusCollector(view, radius);
              kernel.scan(view.codes, view.generation.words, query, from, to, out);
              return new Collector[] {out};
            })[0];
    listener.scanned(IndexListener.Pass.LINEAR, System.nanoTime() - start);
    return keys;
  }

  private Collector topK(View view, int k) {
    return k <= HEAP_MAX_K
        ? new TopKHeap(view, k)
        : new CountingTopK(view, k, view.generation.bits);
  }

  /** A scan of ordinals {@code [from, to)} producing one collector per query. */
  interface RangeScan {
    Collector[] scan(int from, int to);
  }

  private long[][] scanParallel(View view, int k, RangeScan task) {
    int n = view.count;
    int parts = pool == null ? 1 : Math.max(1, Math.min(threads, n / parallelMin));
    if (parts == 1) {
      return keysOf(task.scan(0, n));
    }
    int step = ((n / parts) + CodeLayout.BLOCK - 1) & -CodeLayout.BLOCK;
    List<Future<Collector[]>> futures = new ArrayList<>();
    for (int p = 1; p < parts; p++) {
      int from = p * step;
      int to = p == parts - 1 ? n : Math.min(n, from + step);
      futures.add(pool.submit(() -> task.scan(from, to)));
    }
    Collector[] first = task.scan(0, Math.min(n, step));
    long[][] merged = keysOf(first);
    for (Future<Collector[]> future : futures) {
      Collector[] part = join(future);
      for (int q = 0; q < merged.length; q++) {
        merged[q] = merge(merged[q], part[q].sortedKeys(), k);
      }
    }
    return merged;
  }

  private static long[][] keysOf(Collector[] outs) {
    return mapKeys(outs.length, q -> outs[q].sortedKeys());
  }

  private static long[][] mapKeys(int n, IntFunction<long[]> f) {
    long[][] keys = new long[n][];
    for (int i = 0; i < n; i++) {
      keys[i] = f.apply(i);
    }
    return keys;
  }

  /** The first {@code k} of two ascending key lists. */
  static long[] merge(long[] a, long[] b, int k) {
    long[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    Arrays.sort(all);
    return all.length > k ? Arrays.copyOf(all, k) : all;
  }

  private static Collector[] join(Future<Collector[]> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("search interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("search task failed", e.getCause());
    }
  }
}
