package dev.pipit.gallery;

import dev.pipit.encode.EncoderOverloadedException;
import dev.pipit.encode.ImageEncoder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keeps up to {@code maxInFlight} images of one caller in the encoder (so they share batches) and
 * hands each finished encoding to a sink in submission order. When the shared encoder queue is
 * full, it waits for its own oldest image instead of failing; only a caller with nothing in flight
 * is refused. With a timeout, an encoding not finished that long after the window starts waiting
 * for it reaches the sink failed with {@link RequestTimeoutException} (and is cancelled).
 *
 * @param <T> what the caller tracks per image
 */
final class EncodingWindow<T> {

  /** Receives each encoding, in submission order. */
  interface Sink<T> {
    void accept(T item, CompletableFuture<ImageEncoder.Result> encoding);
  }

  private record InFlight<T>(T item, CompletableFuture<ImageEncoder.Result> encoding) {}

  private final ImageEncoder encoder;
  private final int maxInFlight;
  private final Sink<T> sink;
  private final Duration timeout;
  private final ArrayDeque<InFlight<T>> inFlight = new ArrayDeque<>();

  /** A window that waits for each encoding as long as it takes. */
  EncodingWindow(ImageEncoder encoder, int maxInFlight, Sink<T> sink) {
    this(encoder, maxInFlight, sink, null);
  }

  /**
   * @param timeout longest the window waits for one encoding, or null for no limit
   */
  EncodingWindow(ImageEncoder encoder, int maxInFlight, Sink<T> sink, Duration timeout) {
    this.encoder = encoder;
    this.maxInFlight = maxInFlight;
    this.sink = sink;
    this.timeout = timeout;
  }

  /**
   * Submits {@code image} for {@code item}.
   *
   * @throws dev.pipit.encode.ImageDecodeException if the image is refused (nothing queued)
   * @throws EncoderOverloadedException if the queue is full and nothing of this caller is in flight
   */
  void submit(T item, byte[] image) {
    if (inFlight.size() >= maxInFlight) {
      completeOldest();
    }
    while (true) {
      try {
        inFlight.add(new InFlight<>(item, encoder.encode(image)));
        return;
      } catch (EncoderOverloadedException e) {
        if (inFlight.isEmpty()) {
          throw e;
        }
        completeOldest();
      }
    }
  }

  /** Hands every image still in flight to the sink. */
  void drain() {
    while (!inFlight.isEmpty()) {
      completeOldest();
    }
  }

  private void completeOldest() {
    InFlight<T> oldest = inFlight.poll();
    CompletableFuture<ImageEncoder.Result> encoding = oldest.encoding();
    if (timeout == null) {
      encoding.exceptionally(e -> null).join(); // wait; the sink sees the outcome, failure included
    } else {
      try {
        encoding.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | CancellationException e) {
        // the sink sees the failure
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (TimeoutException e) {
        encoding.cancel(false);
        encoding = CompletableFuture.failedFuture(new RequestTimeoutException(timeout));
      }
    }
    sink.accept(oldest.item(), encoding);
  }
}
