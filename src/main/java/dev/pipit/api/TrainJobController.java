package dev.pipit.api;

import dev.pipit.gallery.GalleryDatasetExport;
import dev.pipit.jobs.JobEvents;
import dev.pipit.jobs.TrainJob;
import dev.pipit.jobs.TrainJobRequest;
import dev.pipit.jobs.TrainJobs;
import dev.pipit.jobs.UnknownJobException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** Training jobs: submit (admin), follow, cancel (admin). */
@RestController
@Tag(name = "train-jobs", description = "Asymmetric deep hashing training jobs")
class TrainJobController {

  private final TrainJobs jobs;
  private final GalleryDatasetExport galleryExport;
  private final Path datasetsDir;

  TrainJobController(TrainJobs jobs, GalleryDatasetExport galleryExport, StorageLocations storage) {
    this.jobs = jobs;
    this.galleryExport = galleryExport;
    this.datasetsDir = storage.datasetsDir();
  }

  @PostMapping("/v1/train-jobs")
  @Operation(
      summary = "Start a training job (admin)",
      security = @SecurityRequirement(name = "admin"),
      description =
          "Queues a job; jobs run one at a time. The dataset root must lie under an allowed root."
              + " With `\"dataset\": \"gallery\"` the job trains on the served gallery's labelled"
              + " items (their kept originals, exported as an image-folder dataset; one in five per"
              + " label becomes a query). `backboneWeights` names a torchvision ResNet-50"
              + " (safetensors state dict or TorchScript export) under an allowed root to start"
              + " from instead of the service's Keras ResNet-50; it is checked before the job is"
              + " queued and recorded in the model's provenance.")
  ResponseEntity<TrainJob> submit(@Valid @RequestBody TrainJobRequest request) throws IOException {
    TrainJob job =
        "gallery".equals(request.dataset()) ? submitOnGallery(request) : jobs.submit(request);
    return ResponseEntity.accepted().location(URI.create("/v1/train-jobs/" + job.id())).body(job);
  }

  private TrainJob submitOnGallery(TrainJobRequest request) throws IOException {
    Path root = galleryExport.export(datasetsDir);
    return jobs.submitExported(request.onDataset("image-folder", root.toString()), root);
  }

  @GetMapping("/v1/train-jobs")
  @Operation(summary = "List training jobs, newest first")
  List<TrainJob> list() {
    return jobs.list();
  }

  @GetMapping("/v1/train-jobs/{id}")
  @Operation(summary = "One training job: state, progress, loss and mAP per outer iteration, ETA")
  TrainJob get(@PathVariable String id) {
    return jobs.get(id).orElseThrow(() -> new UnknownJobException(id));
  }

  @PostMapping("/v1/train-jobs/{id}/cancel")
  @Operation(
      summary = "Cancel a training job (admin)",
      security = @SecurityRequirement(name = "admin"))
  ResponseEntity<TrainJob> cancel(@PathVariable String id) {
    return ResponseEntity.accepted().body(jobs.cancel(id));
  }

  @GetMapping(path = "/v1/train-jobs/{id}/events", produces = "text/event-stream")
  @Operation(
      summary = "Server-sent events: the job after every change, until it ends",
      description =
          "At most one progress event per second; state changes and finished iterations always."
              + " Streams are capped (429 past the cap), end after a maximum duration (reconnect"
              + " to go on), and a client that stops reading is dropped.")
  SseEmitter events(@PathVariable String id) throws IOException {
    TrainJob current = get(id);
    SseEmitter emitter = new SseEmitter(jobs.limits().maxStreamDuration().toMillis());
    if (current.state() != TrainJob.State.QUEUED && current.state() != TrainJob.State.RUNNING) {
      emitter.send(SseEmitter.event().name("job").data(current));
      emitter.complete();
      return emitter;
    }
    // Subscribing may be refused (429): before anything is written. Events are then sent from the
    // subscription's own thread, never the training thread.
    JobEvents.Subscription subscription =
        jobs.subscribe(id, job -> send(emitter, job), emitter::complete);
    emitter.onCompletion(subscription::close);
    emitter.onTimeout(subscription::close);
    emitter.onError(e -> subscription.close());
    return emitter;
  }

  private static void send(SseEmitter emitter, TrainJob job) {
    try {
      emitter.send(SseEmitter.event().name("job").data(job));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
