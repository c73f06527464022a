package dev.pipit.jobs;

/**
 * Told what training jobs did, for metrics: once per optimisation step and per change of a job
 * (progress at most once per step). Called on the job runner's thread; implementations must be
 * cheap and must not throw.
 */
public interface JobListener {

  /** Listens to nothing. */
  JobListener NONE = new JobListener() {};

  /** A job changed: queued, started, progressed, finished. */
  default void updated(TrainJob job) {}

  /** One optimisation step of a running job took {@code nanos}. */
  default void stepped(String method, int bits, long nanos) {}

  /** A job failed (not cancelled, not interrupted by a stop). */
  default void failed() {}
}
