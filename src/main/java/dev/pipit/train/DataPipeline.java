package dev.pipit.train;

/**
 * How end-to-end training ({@link BackboneMode#FULL}) prepares its images: decode and augmentation
 * on {@code workers} threads ({@link ParallelBatches}) that run up to {@code prefetch} batches
 * ahead of the training step, or on the training thread itself ({@code workers = 0}). The batches
 * are the same for a seed whatever these two numbers are (each image's augmentation has its own
 * seed), so they are a matter of speed only: neither is part of a run's settings, its resume check
 * or its provenance. The cached-feature modes ignore them.
 *
 * @param workers decode threads; 0 decodes on the training thread, one batch when it is needed
 * @param prefetch batches prepared ahead of the one being trained on (≥ 1; unused with 0 workers)
 */
public record DataPipeline(int workers, int prefetch) {

  /** Most workers the default picks, however many processors the machine has. */
  static final int MAX_DEFAULT_WORKERS = 8;

  /**
   * Prefetch depth of the default: four batches (FCAENet takes two per step: anchors, positives).
   */
  public static final int DEFAULT_PREFETCH = 4;

  /** Validates the fields. */
  public DataPipeline {
    if (workers < 0 || workers > 256) {
      throw new IllegalArgumentException("data workers must be 0..256, got " + workers);
    }
    if (prefetch < 1 || prefetch > 64) {
      throw new IllegalArgumentException("data prefetch must be 1..64 batches, got " + prefetch);
    }
  }

  /**
   * One worker per available processor but one (left to the training step, which on a CPU uses the
   * other cores itself), at least 1 and at most {@value #MAX_DEFAULT_WORKERS}; prefetch {@value
   * #DEFAULT_PREFETCH}.
   */
  public static DataPipeline defaults() {
    return new DataPipeline(
        defaultWorkers(Runtime.getRuntime().availableProcessors()), DEFAULT_PREFETCH);
  }

  /** The default worker count on a machine with {@code processors} processors. */
  static int defaultWorkers(int processors) {
    return Math.clamp(processors - 1L, 1, MAX_DEFAULT_WORKERS);
  }

  /** Decoding on the training thread. */
  public static DataPipeline onTrainingThread() {
    return new DataPipeline(0, 1);
  }

  /** The defaults with the given values where not null. */
  public static DataPipeline of(Integer workers, Integer prefetch) {
    DataPipeline d = defaults();
    return new DataPipeline(
        workers == null ? d.workers() : workers, prefetch == null ? d.prefetch() : prefetch);
  }

  @Override
  public String toString() {
    return workers == 0
        ? "decode on the training thread"
        : workers + " data workers, " + prefetch + " batches ahead";
  }
}
