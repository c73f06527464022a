package dev.pipit.encode;

import dev.pipit.index.Code;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Uploaded image bytes to a code: hardened decode and the model's preprocessing on the bounded
 * {@link DecodePool}, then the batching encoder. Nothing CPU-heavy runs on the caller's thread.
 *
 * <p>Admission is decided once, up front: at most {@code maxInFlight} images (the encode queue's
 * capacity) are between {@link #encode} and their result, so an image that was admitted always
 * finds room in the encode queue after decoding; the caller learns of overload synchronously, as
 * before decoding moved off its thread.
 */
public final class ImageEncoder {

  /**
   * A code with where its time went.
   *
   * @param code the sign-quantised code
   * @param decodeNanos decoding and preprocessing
   * @param queueNanos waiting for a batch and a worker
   * @param forwardNanos the forward pass of its batch
   * @param image the decoded, upright image (for thumbnails)
   */
  public record Result(
      Code code, long decodeNanos, long queueNanos, long forwardNanos, BufferedImage image) {}

  private final ImageDecoder decoder;
  private final ImagePreprocessor preprocessor;
  private final BatchingEncoder encoder;
  private final DecodePool decodePool;
  private final int maxInFlight;
  private final Semaphore inFlight;
  private final EncoderListener listener;

  /**
   * @param decodePool where decoding and preprocessing run (may be shared by several encoders)
   * @param maxInFlight images admitted at once, decoding or waiting to be encoded; at most the
   *     encode queue's capacity
   */
  public ImageEncoder(
      ImageDecoder decoder,
      ImagePreprocessor preprocessor,
      BatchingEncoder encoder,
      DecodePool decodePool,
      int maxInFlight) {
    this(decoder, preprocessor, encoder, decodePool, maxInFlight, EncoderListener.NONE);
  }

  /** As above, telling {@code listener} of every image refused. */
  public ImageEncoder(
      ImageDecoder decoder,
      ImagePreprocessor preprocessor,
      BatchingEncoder encoder,
      DecodePool decodePool,
      int maxInFlight,
      EncoderListener listener) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
    }
    this.decoder = decoder;
    this.preprocessor = preprocessor;
    this.encoder = encoder;
    this.decodePool = decodePool;
    this.maxInFlight = maxInFlight;
    this.inFlight = new Semaphore(maxInFlight);
    this.listener = listener;
  }

  /**
   * Encodes one image.
   *
   * @return completes with the code, or exceptionally with an {@link ImageDecodeException} if the
   *     bytes are refused or cannot be decoded (then nothing reaches the encode queue)
   * @throws EncoderOverloadedException if {@code maxInFlight} images are in the pipeline already,
   *     or the decode queue is full
   */
  public CompletableFuture<Result> encode(byte[] bytes) {
    if (!inFlight.tryAcquire()) {
      listener.rejected(EncoderListener.Rejection.QUEUE_FULL);
      throw new EncoderOverloadedException(
          "image pipeline is full (" + maxInFlight + " images decoding or encoding)", retryAfter());
    }
    CompletableFuture<Prepared> decoding;
    try {
      decoding = decodePool.submit(() -> decode(bytes));
    } catch (RuntimeException e) {
      inFlight.release();
      if (e instanceof EncoderOverloadedException) {
        listener.rejected(EncoderListener.Rejection.DECODE_QUEUE_FULL);
      }
      throw e;
    }
    CompletableFuture<Result> result = decoding.thenCompose(this::submit);
    result.whenComplete(
        (r, e) -> {
          decoding.cancel(false); // a caller that gave up: a decode not yet started is skipped
          inFlight.release();
        });
    return result;
  }

  /** Time the images in the pipeline are expected to take, from the mean forward time so far. */
  private Duration retryAfter() {
    EncoderStats stats = encoder.stats();
    long perImage = stats.images() == 0 ? 100_000_000L : stats.forwardNanos() / stats.images();
    return Duration.ofMillis(Math.max(100, perImage * maxInFlight / stats.workers() / 1_000_000L));
  }

  private record Prepared(BufferedImage image, float[] input, long nanos) {}

  private Prepared decode(byte[] bytes) {
    long start = System.nanoTime();
    BufferedImage image = decoder.decode(bytes).image();
    float[] input = preprocessor.apply(image);
    return new Prepared(image, input, System.nanoTime() - start);
  }

  private CompletableFuture<Result> submit(Prepared p) {
    return encoder
        .submit(p.input())
        .thenApply(
            e -> new Result(e.code(), p.nanos(), e.queueNanos(), e.forwardNanos(), p.image()));
  }

  /** Code length of the model. */
  public int bits() {
    return encoder.bits();
  }

  /** The batching encoder's counters. */
  public EncoderStats stats() {
    return encoder.stats();
  }
}
