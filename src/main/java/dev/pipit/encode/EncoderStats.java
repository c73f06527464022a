package dev.pipit.encode;

/**
 * Counters of a {@link BatchingEncoder} since it started.
 *
 * @param queued requests waiting now
 * @param capacity queue capacity
 * @param workers forward-pass workers (one backend each)
 * @param submitted requests accepted
 * @param rejected requests refused because the queue was full
 * @param failed requests whose forward pass failed
 * @param images images encoded
 * @param batches forward passes run
 * @param forwardNanos total time spent in forward passes
 * @param device device label of the backends
 */
public record EncoderStats(
    int queued,
    int capacity,
    int workers,
    long submitted,
    long rejected,
    long failed,
    long images,
    long batches,
    long forwardNanos,
    String device) {

  /** Mean images per forward pass, 0 before the first. */
  public double meanBatchSize() {
    return batches == 0 ? 0 : (double) images / batches;
  }
}
