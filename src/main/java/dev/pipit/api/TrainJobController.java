package dev.pipit.api;

import dev.pipit.gallery.GalleryDatasetExport;
import dev.pipit.jobs.TrainJob;
import dev.pipit.jobs.TrainJobRequest;
import dev.pipit.jobs.TrainJobs;
import dev.pipit.jobs.UnknownJobException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
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
              + " label becomes a query).")
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
  @Operation(summary = "Server-sent events: the job after every change, until it ends")
  SseEmitter events(@PathVariable String id) throws IOException {
    TrainJob current = get(id);
    SseEmitter emitter = new SseEmitter(0L);
    emitter.send(SseEmitter.event().name("job").data(current));
    if (current.state() != TrainJob.State.QUEUED && current.state() != TrainJob.State.RUNNING) {
      emitter.complete();
      return emitter;
    }
    Consumer<TrainJob> listener =
        new Consumer<>() {
          private long lastStep;

          @Override
          public void accept(TrainJob job) {
            boolean ended =
                job.state() != TrainJob.State.QUEUED && job.state() != TrainJob.State.RUNNING;
            long now = System.nanoTime();
            if (!ended
                && now - lastStep < 1_000_000_000L
                && job.iterations().size() == current.iterations().size()) {
              return; // at most one progress event per second
            }
            lastStep = now;
            try {
              emitter.send(SseEmitter.event().name("job").data(job));
              if (ended) {
                jobs.unsubscribe(id, this);
                emitter.complete();
              }
            } catch (IOException | IllegalStateException gone) {
              jobs.unsubscribe(id, this);
            }
          }
        };
    jobs.subscribe(id, listener);
    emitter.onCompletion(() -> jobs.unsubscribe(id, listener));
    emitter.onTimeout(() -> jobs.unsubscribe(id, listener));
    return emitter;
  }
}
