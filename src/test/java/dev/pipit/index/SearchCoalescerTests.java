package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrent searches answered in shared passes: searches queued while a pass runs share the next
 * one, each gets exactly its own top k, and a failing pass fails only its own searches.
 */
class SearchCoalescerTests {

  private static final int BITS = 64;
  private static final int N = 3_000;

  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final Random rnd = new Random(11);
  private final List<Code> codes = TestCodes.gallery(BITS, N, 30, 0.05, rnd);
  private final View view = view(codes);
  private final Searcher searcher =
      new Searcher(
          KernelProvider.kernel(),
          SearchStrategy.LINEAR,
          null,
          1,
          new MihMaintainer(Runnable::run, () -> view));

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  private static View view(List<Code> codes) {
    Generation generation = new Generation(BITS, codes.size(), 0);
    long seq = 0;
    for (int i = 0; i < codes.size(); i++) {
      generation.put(++seq, "e" + i, codes.get(i).words(), null);
    }
    return generation.publish(seq);
  }

  @Test
  void searchesQueuedDuringAPassShareTheNextAndEachGetsItsOwnTopK() throws Exception {
    int waiting = 12;
    AtomicInteger passes = new AtomicInteger();
    SearchCoalescer[] coalescer = new SearchCoalescer[1];
    // The first pass holds until the other searches are queued behind it.
    Supplier<View> views =
        () -> {
          if (passes.getAndIncrement() == 0) {
            awaitQueued(coalescer[0], waiting);
          }
          return view;
        };
    coalescer[0] = new SearchCoalescer(searcher, views, 64);

    List<Code> queries = new ArrayList<>();
    for (int q = 0; q <= waiting; q++) {
      queries.add(
          q % 2 == 0
              ? TestCodes.noisy(codes.get(rnd.nextInt(N)), 0.04, rnd)
              : TestCodes.random(BITS, rnd));
    }
    int[] ks = new int[queries.size()];
    List<Future<SearchCoalescer.Answer>> answers = new ArrayList<>();
    answers.add(callers.submit(() -> coalescer[0].knn(queries.getFirst().words(), 10)));
    awaitPasses(passes, 1);
    for (int q = 1; q < queries.size(); q++) {
      ks[q] = q % 3 == 0 ? 100 : 10; // two k groups in the shared pass
      int at = q;
      answers.add(callers.submit(() -> coalescer[0].knn(queries.get(at).words(), ks[at])));
    }
    ks[0] = 10;

    for (int q = 0; q < queries.size(); q++) {
      SearchCoalescer.Answer answer = answers.get(q).get(30, TimeUnit.SECONDS);
      assertThat(answer.view()).isSameAs(view);
      assertThat(answer.keys())
          .as("query %d, k %d", q, ks[q])
          .containsExactly(TestCodes.naiveKnn(codes, new boolean[N], queries.get(q), ks[q]));
    }
    assertThat(passes.get()).as("passes").isEqualTo(2);
    assertThat(coalescer[0].coalesced.sum())
        .as("searches answered in a shared pass")
        .isEqualTo(waiting);
  }

  @Test
  void aSearchAloneRunsAtOnceOnItsCallersThread() {
    AtomicInteger passes = new AtomicInteger();
    Thread caller = Thread.currentThread();
    SearchCoalescer coalescer =
        new SearchCoalescer(
            searcher,
            () -> {
              assertThat(Thread.currentThread()).isSameAs(caller);
              passes.incrementAndGet();
              return view;
            },
            64);
    Code query = codes.get(5);

    assertThat(coalescer.knn(query.words(), 3).keys())
        .containsExactly(TestCodes.naiveKnn(codes, new boolean[N], query, 3));
    assertThat(passes.get()).isEqualTo(1);
    assertThat(coalescer.coalesced.sum()).isZero();
  }

  @Test
  void aFailedPassFailsItsSearchesAndTheNextPassAnswers() throws Exception {
    AtomicInteger passes = new AtomicInteger();
    SearchCoalescer[] coalescer = new SearchCoalescer[1];
    coalescer[0] =
        new SearchCoalescer(
            searcher,
            () -> {
              int pass = passes.getAndIncrement();
              if (pass == 0) {
                awaitQueued(coalescer[0], 3);
              } else if (pass == 1) {
                throw new IllegalStateException("the index is closed");
              }
              return view;
            },
            64);
    Code query = codes.get(9);
    List<Future<SearchCoalescer.Answer>> answers = new ArrayList<>();
    answers.add(callers.submit(() -> coalescer[0].knn(query.words(), 5)));
    awaitPasses(passes, 1);
    for (int i = 0; i < 3; i++) {
      answers.add(callers.submit(() -> coalescer[0].knn(query.words(), 5)));
    }

    assertThat(answers.getFirst().get(30, TimeUnit.SECONDS).keys()).hasSize(5);
    for (Future<SearchCoalescer.Answer> failed : answers.subList(1, 4)) {
      assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS))
          .hasRootCauseMessage("the index is closed");
    }
    assertThat(coalescer[0].knn(query.words(), 5).keys())
        .containsExactly(TestCodes.naiveKnn(codes, new boolean[N], query, 5));
  }

  @Test
  void manyThreadsSearchingAtOnceEachGetTheirOwnResults() throws Exception {
    SearchCoalescer coalescer = new SearchCoalescer(searcher, () -> view, 8);
    List<Future<?>> work = new ArrayList<>();
    for (int t = 0; t < 16; t++) {
      long seed = t;
      work.add(
          callers.submit(
              () -> {
                Random own = new Random(seed);
                for (int i = 0; i < 200; i++) {
                  Code query = TestCodes.random(BITS, own);
                  int k = 1 + own.nextInt(20);
                  assertThat(coalescer.knn(query.words(), k).keys())
                      .containsExactly(TestCodes.naiveKnn(codes, new boolean[N], query, k));
                }
                return null;
              }));
    }
    for (Future<?> f : work) {
      f.get(120, TimeUnit.SECONDS);
    }
  }

  private static void awaitQueued(SearchCoalescer coalescer, int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (coalescer.queued() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + coalescer.queued() + " searches queued");
      }
      Thread.onSpinWait();
    }
  }

  private static void awaitPasses(AtomicInteger passes, int count) throws InterruptedException {
    while (passes.get() < count) {
      Thread.sleep(1);
    }
  }
}
