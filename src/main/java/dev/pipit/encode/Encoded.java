package dev.pipit.encode;

import dev.pipit.index.Code;

/**
 * One encoded image.
 *
 * @param values the network's real outputs (tanh), length = bits
 * @param queueNanos time spent waiting for a batch and a free worker
 * @param forwardNanos time of the forward pass of the batch this image rode in
 * @param batchSize size of that batch
 */
public record Encoded(float[] values, long queueNanos, long forwardNanos, int batchSize) {

  /** The sign-quantised code: bit i set when {@code values[i] >= 0}. */
  public Code code() {
    return Code.fromSigns(values);
  }
}
