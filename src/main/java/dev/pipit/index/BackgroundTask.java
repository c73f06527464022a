package dev.pipit.index;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs a job in the background, at most one run at a time: a trigger while a run is queued or in
 * flight does nothing (the run in flight covers it). A run that throws is reported to the failure
 * handler; either way the task is free again afterwards. A trigger refused by a shut-down executor
 * (the index is closing) is dropped.
 */
final class BackgroundTask {

  /** The job; may throw. */
  @FunctionalInterface
  interface Job {
    void run() throws Exception;
  }

  private final Executor executor;
  private final Job job;
  private final Consumer<Throwable> onFailure;
  private final AtomicBoolean running = new AtomicBoolean();

  BackgroundTask(Executor executor, Job job, Consumer<Throwable> onFailure) {
    this.executor = executor;
    this.job = job;
    this.onFailure = onFailure;
  }

  /**
   * Starts a run unless one is queued or in flight.
   *
   * @return whether a run was started
   */
  boolean trigger() {
    if (!running.compareAndSet(false, true)) {
      return false;
    }
    try {
      executor.execute(this::runOnce);
      return true;
    } catch (RejectedExecutionException closing) {
      running.set(false);
      return false;
    }
  }

  /** Whether a run is queued or in flight. */
  boolean running() {
    return running.get();
  }

  private void runOnce() {
    try {
      job.run();
    } catch (Exception | OutOfMemoryError e) {
      // OutOfMemoryError too: a background build that does not fit must not kill the worker.
      onFailure.accept(e);
    } finally {
      running.set(false);
    }
  }
}
