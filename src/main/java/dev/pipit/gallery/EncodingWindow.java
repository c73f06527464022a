package dev.pipit.gallery;

import dev.pipit.encode.EncoderOverloadedException;
import dev.pipit.encode.ImageEncoder;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Keeps up to {@code maxInFlight} images of one caller in the encoder (so they share batches) and
 * hands each finished encoding to a sink in submission order. When the shared encoder queue is
 * full, it waits for its own oldest image instead of failing; only a caller with nothing in flight
 * is refused.
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
  private final ArrayDeque<InFlight<T>> inFlight = new ArrayDeque<>();

  EncodingWindow(ImageEncoder encoder, int maxInFlight, Sink<T> sink) {
    this.encoder = encoder;
    this.maxInFlight = maxInFlight;
    this.sink = sink;
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
    oldest
        .encoding()
        .exceptionally(e -> null)
        .join(); // wait; the sink sees the outcome, failure included
    sink.accept(oldest.item(), oldest.encoding());
  }
}
