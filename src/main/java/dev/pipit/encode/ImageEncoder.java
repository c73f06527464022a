package dev.pipit.encode;

import dev.pipit.index.Code;
import java.awt.image.BufferedImage;
import java.util.concurrent.CompletableFuture;

/**
 * Uploaded image bytes to a code: hardened decode, the model's preprocessing, then the batching
 * encoder. Decoding and preprocessing run on the caller's (virtual) thread; only the forward pass
 * is queued.
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

  public ImageEncoder(
      ImageDecoder decoder, ImagePreprocessor preprocessor, BatchingEncoder encoder) {
    this.decoder = decoder;
    this.preprocessor = preprocessor;
    this.encoder = encoder;
  }

  /**
   * Encodes one image.
   *
   * @throws ImageDecodeException if the bytes are refused or cannot be decoded (nothing is queued)
   * @throws EncoderOverloadedException if the encode queue is full
   */
  public CompletableFuture<Result> encode(byte[] bytes) {
    long start = System.nanoTime();
    BufferedImage image = decoder.decode(bytes).image();
    float[] input = preprocessor.apply(image);
    long decoded = System.nanoTime() - start;
    return encoder
        .submit(input)
        .thenApply(e -> new Result(e.code(), decoded, e.queueNanos(), e.forwardNanos(), image));
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
