package dev.pipit.jobs;

import java.time.Instant;
import java.util.List;

/**
 * A training job as the API shows it; immutable, replaced on every change.
 *
 * @param id job id
 * @param state lifecycle state
 * @param request what was asked for
 * @param progress fraction of the whole run done, 0..1
 * @param iterations finished outer iterations with their loss and mAP
 * @param etaSeconds estimated seconds left, or null
 * @param model the model the job registered, when it succeeded
 * @param error why it failed or was interrupted
 * @param created when it was submitted
 * @param started when it started running, or null
 * @param finished when it ended, or null
 */
public record TrainJob(
    String id,
    State state,
    TrainJobRequest request,
    double progress,
    List<Iteration> iterations,
    Long etaSeconds,
    String model,
    String error,
    Instant created,
    Instant started,
    Instant finished) {

  /** Lifecycle of a job. */
  public enum State {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED,
    /**
     * The service stopped while the job ran; its checkpoint lets a new job with the same request
     * resume.
     */
    INTERRUPTED;

    boolean finished() {
      return this != QUEUED && this != RUNNING;
    }
  }

  /**
   * One finished outer iteration.
   *
   * @param iteration 1-based
   * @param loss mean loss
   * @param map mAP, or null when not evaluated
   * @param seconds wall time
   */
  public record Iteration(int iteration, double loss, Double map, double seconds) {}

  TrainJob with(
      State newState,
      double newProgress,
      List<Iteration> newIterations,
      Long eta,
      String newModel,
      String newError,
      Instant newStarted,
      Instant newFinished) {
    return new TrainJob(
        id,
        newState,
        request,
        newProgress,
        List.copyOf(newIterations),
        eta,
        newModel,
        newError,
        created,
        newStarted,
        newFinished);
  }
}
