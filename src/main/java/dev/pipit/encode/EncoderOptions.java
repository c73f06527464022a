package dev.pipit.encode;

import java.time.Duration;

/**
 * How the {@link BatchingEncoder} groups requests.
 *
 * @param maxBatch most images per forward pass
 * @param maxWait longest a request waits for others to fill its batch, counted from its arrival
 * @param queueCapacity requests that may wait; one more is rejected with {@link
 *     EncoderOverloadedException}
 */
public record EncoderOptions(int maxBatch, Duration maxWait, int queueCapacity) {

  public EncoderOptions {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be >= 1, got " + queueCapacity);
    }
  }
}
