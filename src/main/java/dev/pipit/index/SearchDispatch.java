package dev.pipit.index;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The read side of the index: routes each search to the {@link Searcher} (directly, or through the
 * {@link SearchCoalescer} so that concurrent searches share a pass), and turns result keys and
 * ordinals of a {@link View} into {@link SearchHit}s and {@link Entry}s. Lock-free, except for a
 * lookup that races an upsert of the same id.
 */
final class SearchDispatch {

  private final int bits;
  private final int maxCoalesced;
  private final WritePath writes;
  private final ExecutorService pool; // null with one search thread
  private final Searcher searcher;
  private final SearchCoalescer coalescer;
  private final IndexListener listener;

  SearchDispatch(
      IndexOptions options, WritePath writes, Executor background, IndexListener listener) {
    this.listener = listener;
    this.bits = options.bits();
    this.maxCoalesced = options.maxCoalesced();
    this.writes = writes;
    this.pool =
        options.threads() > 1
            ? Executors.newFixedThreadPool(
                options.threads() - 1,
                Thread.ofPlatform().daemon().name("pipit-search-", 0).factory())
            : null;
    MihMaintainer mih = new MihMaintainer(background, writes::view);
    this.searcher =
        new Searcher(
            KernelProvider.kernel(), options.strategy(), pool, options.threads(), mih, listener);
    this.coalescer = new SearchCoalescer(searcher, writes::liveView, maxCoalesced, listener);
  }

  List<SearchHit> knn(long[] query, int k) {
    if (maxCoalesced == 1) {
      View v = writes.liveView();
      return hits(v, searcher.knn(v, query, k));
    }
    SearchCoalescer.Answer answer = coalescer.knn(query, k);
    return hits(answer.view(), answer.keys());
  }

  List<SearchHit> radius(long[] query, int radius) {
    View v = writes.liveView();
    return hits(v, searcher.radius(v, query, Math.min(radius, bits)));
  }

  List<List<SearchHit>> knnBatch(long[][] queries, int k) {
    searcher.batchedQueries.add(queries.length);
    if (queries.length > 0) {
      listener.sharedPass(queries.length);
    }
    View v = writes.liveView();
    long[][] keys = queries.length == 0 ? new long[0][] : searcher.knnBatch(v, queries, k);
    List<List<SearchHit>> results = new ArrayList<>(queries.length);
    for (long[] perQuery : keys) {
      results.add(hits(v, perQuery));
    }
    return results;
  }

  private List<SearchHit> hits(View v, long[] keys) {
    List<SearchHit> hits = new ArrayList<>(keys.length);
    for (long key : keys) {
      int ordinal = Collector.ordinalOf(key);
      Code code = Code.of(bits, v.codes.load(ordinal));
      hits.add(new SearchHit(v.id(ordinal), Collector.distOf(key), v.payload(ordinal), code));
    }
    return hits;
  }

  /** The live entry with {@code id} in the newest view, or null. */
  Entry get(String id) {
    View v = writes.view();
    Integer ordinal = v.generation.ordinals.get(id);
    if (ordinal != null && ordinal >= v.count) {
      // An upsert between its map update and its publish: wait for it (the old entry is gone then).
      v = writes.settledView();
      ordinal = v.generation.ordinals.get(id);
    }
    if (ordinal == null || !v.isLive(ordinal)) {
      return null;
    }
    return entry(v, ordinal);
  }

  /** Visits every live entry of the newest view, in insertion order. */
  void forEach(Consumer<Entry> visitor) {
    View v = writes.liveView();
    for (int ordinal = 0; ordinal < v.count; ordinal++) {
      if (v.isLive(ordinal)) {
        visitor.accept(entry(v, ordinal));
      }
    }
  }

  private Entry entry(View v, int ordinal) {
    long[] words = v.codes.load(ordinal);
    return new Entry(v.id(ordinal), Code.of(bits, words), v.payload(ordinal));
  }

  Searcher searcher() {
    return searcher;
  }

  /** Searches answered in a pass shared with concurrent ones. */
  long coalesced() {
    return coalescer.coalesced.sum();
  }

  /** Stops the search threads. */
  void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
