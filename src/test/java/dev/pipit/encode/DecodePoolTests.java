package dev.pipit.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The decode stage: bounded concurrency, a bounded queue, 429-style rejection. */
class DecodePoolTests {

  @Test
  void runsAtMostItsThreadsAtOnceAndRejectsPastItsQueue() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    try (DecodePool pool = new DecodePool(2, 3)) {
      List<CompletableFuture<String>> results = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        results.add(
            pool.submit(
                () -> {
                  most.accumulateAndGet(running.incrementAndGet(), Math::max);
                  await(gate);
                  running.decrementAndGet();
                  return Thread.currentThread().getName();
                }));
      }
      // 2 running + 3 waiting: the sixth is refused at once, with a retry hint.
      assertThatThrownBy(() -> pool.submit(() -> "six"))
          .isInstanceOfSatisfying(
              EncoderOverloadedException.class,
              e -> {
                assertThat(e.getMessage()).contains("decode queue is full (3 waiting)");
                assertThat(e.retryAfter().toMillis()).isGreaterThanOrEqualTo(100);
              });
      assertThat(pool.rejected()).isEqualTo(1);
      assertThat(pool.waiting()).isEqualTo(3);
      // Both workers must have taken a task before the gate opens (a loaded machine starts them
      // late).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (running.get() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      gate.countDown();
      for (CompletableFuture<String> r : results) {
        assertThat(r.get(5, TimeUnit.SECONDS)).startsWith("pipit-decode-");
      }
      assertThat(most.get()).isEqualTo(2);
      assertThat(pool.submit(() -> "after").get(5, TimeUnit.SECONDS)).isEqualTo("after");
    }
  }

  @Test
  void aTaskWhoseCallerGaveUpIsSkipped() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    try (DecodePool pool = new DecodePool(1, 4)) {
      CompletableFuture<Integer> blocker = pool.submit(() -> await(gate));
      CompletableFuture<Integer> abandoned = pool.submit(ran::incrementAndGet);
      abandoned.cancel(false);
      gate.countDown();
      blocker.get(5, TimeUnit.SECONDS);
      assertThat(pool.submit(() -> 7).get(5, TimeUnit.SECONDS)).isEqualTo(7);
      assertThat(ran.get()).as("the cancelled task never ran").isZero();
    }
  }

  @Test
  void failuresCompleteTheFuture() {
    try (DecodePool pool = new DecodePool(0, 1)) {
      assertThat(pool.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
      CompletableFuture<Object> failed =
          pool.submit(
              () -> {
                throw new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "bad");
              });
      assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(ImageDecodeException.class);
    }
  }

  @Test
  void refusesNonsenseSizes() {
    assertThatThrownBy(() -> new DecodePool(-1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DecodePool(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static int await(CountDownLatch gate) {
    try {
      return gate.await(10, TimeUnit.SECONDS) ? 1 : 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
