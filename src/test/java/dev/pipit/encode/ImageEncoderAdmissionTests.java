package dev.pipit.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.FakeEncoderBackend;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One admission decision for the whole pipeline: decoding runs on the decode pool, and at most
 * {@code maxInFlight} images are between {@link ImageEncoder#encode} and their code.
 */
class ImageEncoderAdmissionTests {

  private static final Preprocessing SPEC = Preprocessing.kerasResNet50();

  @Test
  void admitsAtMostMaxInFlightAndRejectsTheRestAtOnce() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    byte[] jpeg = ScanBombs.baseline(64, 48);
    try (DecodePool pool = new DecodePool(1, 8);
        BatchingEncoder batching =
            new BatchingEncoder(
                List.of(new FakeEncoderBackend(8, SPEC, null, gate)),
                new EncoderOptions(8, Duration.ZERO, 8))) {
      ImageEncoder encoder =
          new ImageEncoder(
              ImageDecoder.withDefaults(), new ImagePreprocessor(SPEC), batching, pool, 2);
      CompletableFuture<ImageEncoder.Result> first = encoder.encode(jpeg);
      CompletableFuture<ImageEncoder.Result> second = encoder.encode(jpeg);
      assertThatThrownBy(() -> encoder.encode(jpeg))
          .isInstanceOfSatisfying(
              EncoderOverloadedException.class,
              e -> {
                assertThat(e.getMessage()).contains("image pipeline is full (2");
                assertThat(e.retryAfter()).isGreaterThanOrEqualTo(Duration.ofMillis(100));
              });
      gate.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS).code().bits()).isEqualTo(8);
      assertThat(second.get(10, TimeUnit.SECONDS).image().getWidth()).isEqualTo(64);
      // Permits come back with the results.
      awaitAdmission(encoder, jpeg).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRefusedImageFailsItsFutureAndFreesItsPlace() throws Exception {
    byte[] bomb = ScanBombs.repeatFirstScan(ScanBombs.progressive(128, 96), 100);
    try (DecodePool pool = new DecodePool(1, 8);
        BatchingEncoder batching =
            new BatchingEncoder(
                List.of(new FakeEncoderBackend(8, SPEC, null, null)),
                new EncoderOptions(8, Duration.ZERO, 8))) {
      ImageEncoder encoder =
          new ImageEncoder(
              ImageDecoder.withDefaults(), new ImagePreprocessor(SPEC), batching, pool, 1);
      for (int i = 0; i < 3; i++) {
        CompletableFuture<ImageEncoder.Result> refused = awaitAdmission(encoder, bomb);
        assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOfSatisfying(
                ImageDecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(ImageDecodeException.Reason.TOO_MANY_SCANS));
      }
      assertThat(batching.stats().submitted()).as("nothing reached the encode queue").isZero();
    }
  }

  /** Retries while the permit of a just-completed request is being returned. */
  private static CompletableFuture<ImageEncoder.Result> awaitAdmission(
      ImageEncoder encoder, byte[] bytes) throws InterruptedException {
    for (int i = 0; ; i++) {
      try {
        return encoder.encode(bytes);
      } catch (EncoderOverloadedException e) {
        if (i == 100) {
          throw e;
        }
        Thread.sleep(10);
      }
    }
  }
}
