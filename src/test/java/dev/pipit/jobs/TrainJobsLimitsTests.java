package dev.pipit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.model.DevicePreference;
import dev.pipit.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jobs service's bounds: pending queue, model names, event streams that never stall. */
class TrainJobsLimitsTests {

  @TempDir Path dir;

  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void openGates() {
    release.countDown();
  }

  private static TrainJobRequest request(String name) {
    return new TrainJobRequest(
        name, "agmh", 48, "image-folder", null, null, null, 1, 1, null, null);
  }

  private TrainJobs jobs(JobLimits limits, TrainJobs.Trainer trainer) throws Exception {
    return new TrainJobs(
        dir.resolve("jobs"),
        Files.createDirectories(dir.resolve("models")),
        List.of(dir),
        dir.resolve("w.json"),
        "t",
        DevicePreference.CPU,
        limits,
        trainer,
        JobListener.NONE);
  }

  /** A trainer that waits until the test releases it. */
  private TrainJobs.Trainer blocking() {
    return (plan, listener, log, cancelled) -> release.await(30, TimeUnit.SECONDS);
  }

  private static void awaitState(TrainJobs jobs, String id, TrainJob.State state)
      throws InterruptedException {
    for (int i = 0; i < 500 && jobs.get(id).orElseThrow().state() != state; i++) {
      Thread.sleep(10);
    }
    assertThat(jobs.get(id).orElseThrow().state()).isEqualTo(state);
  }

  private long jobFiles() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("jobs"))) {
      return files.count();
    }
  }

  @Test
  void theQueueOfPendingJobsIsBounded() throws Exception {
    try (TrainJobs jobs = jobs(new JobLimits(2, 8, 8, 16, Duration.ofMinutes(1)), blocking())) {
      TrainJob running = jobs.submitExported(request("a"), dir);
      awaitState(jobs, running.id(), TrainJob.State.RUNNING);
      jobs.submitExported(request("b"), dir);
      jobs.submitExported(request("c"), dir);
      long files = jobFiles();
      assertThatThrownBy(() -> jobs.submitExported(request("d"), dir))
          .isInstanceOfSatisfying(
              JobsBusyException.class,
              e -> {
                assertThat(e.getMessage()).contains("job queue is full", "at most 2");
                assertThat(e.retryAfter()).isPositive();
              });
      assertThat(jobs.list()).hasSize(3);
      assertThat(jobFiles()).as("nothing persisted for the refused job").isEqualTo(files);
    }
  }

  @Test
  void aJobMayNotWriteOverAnExistingOrClaimedModel() throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    Files.createDirectories(models.resolve("serving"));
    Files.writeString(models.resolve("serving/manifest.json"), "{}");
    Files.createDirectories(models.resolve("interrupted/checkpoint"));
    try (TrainJobs jobs = jobs(JobLimits.DEFAULTS, blocking())) {
      assertThatThrownBy(() -> jobs.submitExported(request("serving"), dir))
          .isInstanceOf(ModelNameConflictException.class)
          .hasMessageContaining("a model named serving exists");
      TrainJob first = jobs.submitExported(request("new"), dir);
      assertThatThrownBy(() -> jobs.submitExported(request("new"), dir))
          .isInstanceOf(ModelNameConflictException.class)
          .hasMessageContaining(first.id());
      assertThatThrownBy(() -> jobs.submitExported(request(".."), dir))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(jobs.list()).extracting(TrainJob::id).containsExactly(first.id());
      assertThat(Files.readString(models.resolve("serving/manifest.json"))).isEqualTo("{}");
      // A directory with only a checkpoint is an interrupted job's: a new job resumes it.
      assertThat(jobs.submitExported(request("interrupted"), dir).state())
          .isEqualTo(TrainJob.State.QUEUED);
    }
  }

  @Test
  void aStuckSubscriberIsDroppedWhileTrainingGoesOn() throws Exception {
    int iterations = 300;
    TrainJobs.Trainer trainer =
        (plan, listener, log, cancelled) -> {
          for (int i = 0; i < iterations; i++) {
            listener.onIteration(
                new TrainingListener.Iteration(
                    i, iterations, new TrainingListener.Losses(1, 0, 0), Double.NaN, 0.01));
          }
        };
    CountDownLatch start = new CountDownLatch(1);
    TrainJobs.Trainer gated =
        (plan, listener, log, cancelled) -> {
          start.await(30, TimeUnit.SECONDS);
          trainer.train(plan, listener, log, cancelled);
        };
    try (TrainJobs jobs = jobs(new JobLimits(8, 8, 8, 32, Duration.ofMinutes(1)), gated)) {
      TrainJob job = jobs.submitExported(request("fanout"), dir);
      List<TrainJob> seen = new CopyOnWriteArrayList<>();
      CountDownLatch fastEnded = new CountDownLatch(1);
      CountDownLatch stuckEnded = new CountDownLatch(1);
      JobEvents.Subscription fast = jobs.subscribe(job.id(), seen::add, fastEnded::countDown);
      JobEvents.Subscription stuck =
          jobs.subscribe(
              job.id(),
              j -> {
                // a client that never reads: its write blocks
                await(release);
              },
              stuckEnded::countDown);
      long begin = System.nanoTime();
      start.countDown();
      awaitState(jobs, job.id(), TrainJob.State.SUCCEEDED);
      double seconds = (System.nanoTime() - begin) / 1e9;
      assertThat(seconds).as("training never waited for the stuck client").isLessThan(20);
      assertThat(jobs.get(job.id()).orElseThrow().iterations()).hasSize(iterations);
      assertThat(stuck.dropped()).isTrue();
      assertThat(fastEnded.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(fast.dropped()).isFalse();
      assertThat(seen.getLast().state()).isEqualTo(TrainJob.State.SUCCEEDED);
      assertThat(seen.getFirst().state()).isIn(TrainJob.State.QUEUED, TrainJob.State.RUNNING);
      release.countDown();
      assertThat(stuckEnded.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void eventStreamsAreCappedGloballyAndPerJob() throws Exception {
    try (TrainJobs jobs = jobs(new JobLimits(8, 3, 2, 16, Duration.ofMinutes(1)), blocking())) {
      String a = jobs.submitExported(request("a"), dir).id();
      String b = jobs.submitExported(request("b"), dir).id();
      JobEvents.Subscription a1 = jobs.subscribe(a, j -> {}, () -> {});
      jobs.subscribe(a, j -> {}, () -> {});
      assertThatThrownBy(() -> jobs.subscribe(a, j -> {}, () -> {}))
          .isInstanceOf(JobsBusyException.class)
          .hasMessageContaining("on job " + a);
      jobs.subscribe(b, j -> {}, () -> {});
      assertThatThrownBy(() -> jobs.subscribe(b, j -> {}, () -> {}))
          .isInstanceOf(JobsBusyException.class)
          .hasMessageContaining("too many event streams open (3)");
      a1.close();
      assertThat(jobs.subscribe(b, j -> {}, () -> {}).closed()).isFalse();
      assertThatThrownBy(() -> jobs.subscribe("nope", j -> {}, () -> {}))
          .isInstanceOf(UnknownJobException.class);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
