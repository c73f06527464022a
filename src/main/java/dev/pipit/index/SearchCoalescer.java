package dev.pipit.index;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Answers concurrent k-NN searches together, in one pass over the codes: group commit, for reads. A
 * search first queues itself; the thread that finds no pass running runs one for every search
 * queued then (up to {@code maxPerPass}, grouped by k, through {@link Searcher#knnBatch}: the
 * bit-sliced kernel for 8 or more short codes); searches that arrive meanwhile wait, and the first
 * of them runs the next pass. A search with none beside it runs at once, as it would alone.
 *
 * <p>Every search path returns the same (distance, insertion order) list, so a search answered in a
 * shared pass gets exactly what it would have got alone, from a state of the index at least as new
 * as the one when it was called (the pass reads the newest view after taking its searches off the
 * queue).
 */
final class SearchCoalescer {

  /** The view a search was answered from and its keys {@code (dist << 32) | ordinal}, ascending. */
  record Answer(View view, long[] keys) {}

  private static final class Pending {
    final long[] query;
    final int k;
    final Thread caller = Thread.currentThread();
    volatile Answer answer;
    volatile RuntimeException failure;

    Pending(long[] query, int k) {
      this.query = query;
      this.k = k;
    }

    boolean done() {
      return answer != null || failure != null;
    }
  }

  private final Searcher searcher;
  private final Supplier<View> views;
  private final int maxPerPass;
  private final IndexListener listener;
  private final ConcurrentLinkedQueue<Pending> queued = new ConcurrentLinkedQueue<>();
  private final ReentrantLock passRunning = new ReentrantLock();

  /** Searches answered in a pass shared with at least one other. */
  final LongAdder coalesced = new LongAdder();

  /**
   * @param views the index's newest view
   * @param maxPerPass most searches one pass answers (64 keeps the bit-sliced kernel's scratch in
   *     L1)
   */
  SearchCoalescer(Searcher searcher, Supplier<View> views, int maxPerPass) {
    this(searcher, views, maxPerPass, IndexListener.NONE);
  }

  /** With {@code listener} told the size of every pass. */
  SearchCoalescer(Searcher searcher, Supplier<View> views, int maxPerPass, IndexListener listener) {
    this.listener = listener;
    this.searcher = searcher;
    this.views = views;
    this.maxPerPass = maxPerPass;
  }

  Answer knn(long[] query, int k) {
    Pending mine = new Pending(query, k);
    queued.add(mine);
    boolean interrupted = false;
    while (!mine.done()) {
      if (passRunning.tryLock()) {
        try {
          while (!mine.done()) {
            runPass();
          }
        } finally {
          passRunning.unlock();
          // Whoever queued while this pass ran may be parked: wake the oldest to run the next one.
          Pending next = queued.peek();
          if (next != null) {
            LockSupport.unpark(next.caller);
          }
        }
      } else {
        LockSupport.park(this); // until answered, or woken to run a pass; spurious returns loop
        // Park returns at once while the flag is set: keep it for the caller, but wait without it.
        interrupted |= Thread.interrupted();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (mine.failure != null) {
      throw mine.failure;
    }
    return mine.answer;
  }

  /** Searches waiting for a pass (tests). */
  int queued() {
    return queued.size();
  }

  private void runPass() {
    List<Pending> pass = new ArrayList<>();
    for (Pending p; pass.size() < maxPerPass && (p = queued.poll()) != null; ) {
      pass.add(p);
    }
    if (pass.size() > 1) {
      coalesced.add(pass.size());
    }
    if (!pass.isEmpty()) {
      listener.sharedPass(pass.size());
    }
    Map<Integer, List<Pending>> byK = new LinkedHashMap<>();
    for (Pending p : pass) {
      byK.computeIfAbsent(p.k, k -> new ArrayList<>()).add(p);
    }
    try {
      View view = views.get();
      for (List<Pending> group : byK.values()) {
        answer(view, group);
      }
    } catch (RuntimeException | Error e) {
      // Nobody else will answer these: they are off the queue.
      RuntimeException failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
      for (Pending p : pass) {
        if (!p.done()) {
          p.failure = failure;
          LockSupport.unpark(p.caller);
        }
      }
      if (e instanceof Error error) {
        throw error;
      }
    }
  }

  private void answer(View view, List<Pending> group) {
    int k = group.getFirst().k;
    if (group.size() == 1) {
      complete(group.getFirst(), new Answer(view, searcher.knn(view, group.getFirst().query, k)));
      return;
    }
    long[][] queries = new long[group.size()][];
    for (int q = 0; q < queries.length; q++) {
      queries[q] = group.get(q).query;
    }
    long[][] keys = searcher.knnBatch(view, queries, k);
    for (int q = 0; q < keys.length; q++) {
      complete(group.get(q), new Answer(view, keys[q]));
    }
  }

  private static void complete(Pending p, Answer answer) {
    p.answer = answer;
    LockSupport.unpark(p.caller);
  }
}
