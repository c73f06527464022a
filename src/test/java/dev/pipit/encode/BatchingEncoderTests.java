package dev.pipit.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchingEncoderTests {

  /** Output i of image x is x[0] − i: a deterministic function the tests can predict. */
  static final class FakeBackend implements EncoderBackend {
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    final CountDownLatch gate;
    volatile boolean fail;
    volatile boolean closed;

    FakeBackend(CountDownLatch gate) {
      this.gate = gate;
    }

    @Override
    public float[][] forward(float[] batch, int n) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      batchSizes.add(n);
      if (fail) {
        throw new IllegalStateException("boom");
      }
      float[][] out = new float[n][4];
      for (int i = 0; i < n; i++) {
        for (int b = 0; b < 4; b++) {
          out[i][b] = batch[i * 2] - b;
        }
      }
      return out;
    }

    @Override
    public int bits() {
      return 4;
    }

    @Override
    public int inputLength() {
      return 2;
    }

    @Override
    public String device() {
      return "fake";
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void requestsThatArriveTogetherShareAForwardPass() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    FakeBackend backend = new FakeBackend(gate);
    try (var encoder =
        new BatchingEncoder(List.of(backend), new EncoderOptions(4, Duration.ofMillis(200), 100))) {
      List<CompletableFuture<Encoded>> results = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        results.add(encoder.submit(new float[] {i, 0}));
      }
      gate.countDown();
      for (int i = 0; i < 9; i++) {
        Encoded encoded = results.get(i).get(10, TimeUnit.SECONDS);
        assertThat(encoded.values()).containsExactly(i, i - 1, i - 2, i - 3);
        assertThat(encoded.code().toSigns())
            .containsExactly(1, i >= 1 ? 1 : -1, i >= 2 ? 1 : -1, i >= 3 ? 1 : -1);
      }
      // The first batch takes 4 at most; the rest were queued already, so batches are full but the
      // last.
      assertThat(backend.batchSizes).containsExactly(4, 4, 1);
      assertThat(encoder.stats().images()).isEqualTo(9);
      assertThat(encoder.stats().batches()).isEqualTo(3);
      assertThat(encoder.stats().meanBatchSize()).isEqualTo(3.0);
    }
  }

  @Test
  void aLoneRequestGoesOutAfterMaxWait() throws Exception {
    FakeBackend backend = new FakeBackend(new CountDownLatch(0));
    try (var encoder =
        new BatchingEncoder(List.of(backend), new EncoderOptions(32, Duration.ofMillis(20), 10))) {
      Encoded encoded = encoder.submit(new float[] {5, 0}).get(10, TimeUnit.SECONDS);

      assertThat(encoded.batchSize()).isEqualTo(1);
      assertThat(encoded.queueNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(15).toNanos());
    }
  }

  @Test
  void aFullQueueRejectsAtOnceAndAcceptsNothing() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    FakeBackend backend = new FakeBackend(gate);
    try (var encoder =
        new BatchingEncoder(List.of(backend), new EncoderOptions(1, Duration.ZERO, 2))) {
      List<CompletableFuture<Encoded>> accepted = new ArrayList<>();
      accepted.add(encoder.submit(new float[] {1, 0})); // taken by the worker, blocked on the gate
      awaitQueueEmpty(encoder);
      accepted.add(encoder.submit(new float[] {2, 0}));
      accepted.add(encoder.submit(new float[] {3, 0}));

      assertThatThrownBy(() -> encoder.submit(new float[] {4, 0}))
          .isInstanceOf(EncoderOverloadedException.class)
          .satisfies(e -> assertThat(((EncoderOverloadedException) e).retryAfter()).isPositive());
      assertThat(encoder.stats().rejected()).isEqualTo(1);
      assertThat(encoder.stats().submitted()).isEqualTo(3);

      gate.countDown();
      for (CompletableFuture<Encoded> f : accepted) {
        assertThat(f.get(10, TimeUnit.SECONDS).values()).hasSize(4);
      }
    }
  }

  @Test
  void aFailedForwardPassFailsEveryRequestInIt() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    FakeBackend backend = new FakeBackend(gate);
    backend.fail = true;
    try (var encoder =
        new BatchingEncoder(List.of(backend), new EncoderOptions(8, Duration.ofMillis(200), 10))) {
      var a = encoder.submit(new float[] {1, 0});
      var b = encoder.submit(new float[] {2, 0});
      gate.countDown();

      assertThatThrownBy(() -> a.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasRootCauseMessage("boom");
      assertThatThrownBy(() -> b.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
      assertThat(encoder.stats().failed()).isEqualTo(2);
    }
  }

  @Test
  void closingCompletesEveryRequestAndClosesTheBackends() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    FakeBackend backend = new FakeBackend(gate);
    var encoder = new BatchingEncoder(List.of(backend), new EncoderOptions(1, Duration.ZERO, 10));
    var first = encoder.submit(new float[] {1, 0});
    awaitQueueEmpty(encoder);
    var queued = encoder.submit(new float[] {2, 0});
    gate.countDown();
    encoder.close();

    assertThat(first.get(10, TimeUnit.SECONDS).values()).hasSize(4);
    // The queued request either made it into a last batch or was failed; it never hangs.
    assertThat(queued).isDone();
    if (queued.isCompletedExceptionally()) {
      assertThatThrownBy(queued::get).hasCauseInstanceOf(CancellationException.class);
    }
    assertThat(backend.closed).isTrue();
    assertThatThrownBy(() -> encoder.submit(new float[] {3, 0}))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void rejectsInputsOfTheWrongSizeAndInconsistentBackends() {
    FakeBackend backend = new FakeBackend(new CountDownLatch(0));
    try (var encoder =
        new BatchingEncoder(List.of(backend), new EncoderOptions(2, Duration.ZERO, 2))) {
      assertThatThrownBy(() -> encoder.submit(new float[3]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("takes 2");
    }
    assertThatThrownBy(() -> new EncoderOptions(0, Duration.ZERO, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new BatchingEncoder(List.of(), new EncoderOptions(1, Duration.ZERO, 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void awaitQueueEmpty(BatchingEncoder encoder) throws InterruptedException {
    for (int i = 0; i < 1000 && encoder.stats().queued() > 0; i++) {
      Thread.sleep(5);
    }
    assertThat(encoder.stats().queued()).isZero();
  }
}
