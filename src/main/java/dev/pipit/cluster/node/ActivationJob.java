package dev.pipit.cluster.node;

import java.time.Instant;

/**
 * A cluster activation job's progress ({@link ActivationJobs}).
 *
 * @param id the job's id
 * @param model the model activated
 * @param from the model served when it started
 * @param state where it stands
 * @param total items to re-encode when it started (every shard's)
 * @param reencoded codes of {@code model} written so far (items written meanwhile included)
 * @param withoutOriginal items with neither a kept original nor a code of {@code model} at start
 * @param failed items whose original could not be encoded (so far)
 * @param dropped items deleted by the activation (accepted loss)
 * @param sequence the activation's sequence, once written
 * @param startedAt when it started
 * @param finishedAt when it ended, or null
 * @param error why it failed, or null
 */
public record ActivationJob(
    String id,
    String model,
    String from,
    State state,
    long total,
    long reencoded,
    long withoutOriginal,
    long failed,
    long dropped,
    Long sequence,
    Instant startedAt,
    Instant finishedAt,
    String error) {

  /** Where a job stands. */
  public enum State {
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED
  }

  ActivationJob with(State state, Long sequence, Instant finishedAt, String error) {
    return copy(state, reencoded, failed, dropped, sequence, finishedAt, error);
  }

  ActivationJob progress(long reencoded, long failed, long dropped) {
    return copy(state, reencoded, failed, dropped, sequence, finishedAt, error);
  }

  /** This job with the components that change while it runs replaced. */
  private ActivationJob copy(
      State state,
      long reencoded,
      long failed,
      long dropped,
      Long sequence,
      Instant finishedAt,
      String error) {
    return new ActivationJob(
        id,
        model,
        from,
        state,
        total,
        reencoded,
        withoutOriginal,
        failed,
        dropped,
        sequence,
        startedAt,
        finishedAt,
        error);
  }
}
