package dev.pipit.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class TrainJobsTests {

  @TempDir Path dir;

  @Test
  void jobsRunningWhenTheServiceStoppedComeBackInterrupted() throws Exception {
    Path jobsDir = Files.createDirectories(dir.resolve("jobs"));
    TrainJobRequest request =
        new TrainJobRequest(
            "m",
            "agmh",
            48,
            "fashion-mnist",
            "/usr/share/datasets/fashion-mnist",
            10,
            2,
            2,
            1,
            50,
            32);
    JsonMapper json = JsonMapper.builder().build();
    TrainJob running =
        new TrainJob(
            "a",
            TrainJob.State.RUNNING,
            request,
            0.5,
            List.of(new TrainJob.Iteration(1, 3.2, 0.4, 10.0)),
            20L,
            null,
            null,
            Instant.now(),
            Instant.now(),
            null);
    TrainJob done =
        new TrainJob(
            "b",
            TrainJob.State.SUCCEEDED,
            request,
            1,
            List.of(),
            0L,
            "m",
            null,
            Instant.now(),
            Instant.now(),
            Instant.now());
    json.writeValue(jobsDir.resolve("a.json").toFile(), running);
    json.writeValue(jobsDir.resolve("b.json").toFile(), done);

    try (TrainJobs jobs =
        new TrainJobs(jobsDir, dir.resolve("models"), List.of(dir), dir.resolve("w.json"), "t")) {
      TrainJob recovered = jobs.get("a").orElseThrow();
      assertThat(recovered.state()).isEqualTo(TrainJob.State.INTERRUPTED);
      assertThat(recovered.error()).contains("resume from its checkpoint");
      assertThat(recovered.iterations()).hasSize(1);
      assertThat(jobs.get("b").orElseThrow().state()).isEqualTo(TrainJob.State.SUCCEEDED);
    }
    assertThat(Files.readString(jobsDir.resolve("a.json"))).contains("INTERRUPTED");
  }
}
