package dev.pipit.train;

/**
 * Progress of an ADSH training run, for console bars and job status. Called on the training thread;
 * keep implementations quick.
 */
public interface TrainingListener {

  /** Mean loss terms of an outer iteration (ADL or ESRL are 0 when the method has none). */
  record Losses(double hash, double quantisation, double extra) {

    /** Sum of the terms. */
    public double total() {
      return hash + quantisation + extra;
    }
  }

  /**
   * One finished outer iteration.
   *
   * @param iteration 0-based outer iteration
   * @param of total outer iterations
   * @param losses mean losses over the last inner epoch
   * @param map mAP of query codes against the learned database codes, or NaN if not evaluated
   * @param seconds wall time of the iteration
   */
  record Iteration(int iteration, int of, Losses losses, double map, double seconds) {}

  /** Backbone features computed for {@code done} of {@code total} images of a split. */
  default void onFeatures(String split, long done, long total) {}

  /** Mini-batch progress inside an outer iteration. */
  default void onStep(int iteration, long step, long steps, double loss) {}

  /** An outer iteration ended (V was updated). */
  default void onIteration(Iteration summary) {}

  /** A listener that ignores everything. */
  TrainingListener NONE = new TrainingListener() {};
}
