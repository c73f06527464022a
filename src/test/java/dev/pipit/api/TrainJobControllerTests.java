package dev.pipit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.gallery.GalleryDatasetExport;
import dev.pipit.jobs.JobEvents;
import dev.pipit.jobs.JobLimits;
import dev.pipit.jobs.JobsBusyException;
import dev.pipit.jobs.ModelNameConflictException;
import dev.pipit.jobs.PathNotAllowedException;
import dev.pipit.jobs.TrainJob;
import dev.pipit.jobs.TrainJobRequest;
import dev.pipit.jobs.TrainJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

/** The train-jobs API over a mocked jobs service: status codes, problems, event streams. */
@AutoConfigureMockMvc(addFilters = false)
@WebMvcTest(TrainJobController.class)
@Import(TrainJobControllerTests.Locations.class)
class TrainJobControllerTests {

  private static final String BODY =
      """
      {"name": "m1", "method": "agmh", "bits": 48, "dataset": "fashion-mnist",
       "root": "/usr/share/datasets/fashion-mnist"}
      """;

  @Autowired MockMvc mvc;
  @MockitoBean TrainJobs jobs;
  @MockitoBean GalleryDatasetExport galleryExport;

  @TestConfiguration
  static class Locations {
    @Bean
    StorageLocations storageLocations() {
      return new StorageLocations(Path.of("target/datasets"));
    }
  }

  @BeforeEach
  void limits() {
    when(jobs.limits()).thenReturn(JobLimits.DEFAULTS);
  }

  private static TrainJob job(String id, TrainJob.State state) {
    TrainJobRequest request =
        new TrainJobRequest(
            "m1", "agmh", 48, "fashion-mnist", "/x", null, null, null, null, null, null);
    return new TrainJob(
        id, state, request, 0, List.of(), null, null, null, Instant.now(), null, null);
  }

  @Test
  void aQueuedJobAnswers202WithItsLocation() throws Exception {
    when(jobs.submit(any())).thenReturn(job("j1", TrainJob.State.QUEUED));
    mvc.perform(post("/v1/train-jobs").contentType(MediaType.APPLICATION_JSON).content(BODY))
        .andExpect(status().isAccepted())
        .andExpect(header().string("Location", "/v1/train-jobs/j1"))
        .andExpect(jsonPath("$.state").value("QUEUED"));
  }

  @Test
  void theBackboneAndDataPipelineFieldsReachTheJobsService() throws Exception {
    when(jobs.submit(any())).thenReturn(job("j1", TrainJob.State.QUEUED));
    String body =
        """
        {"name": "m1", "method": "adsh-r50", "bits": 16, "dataset": "fashion-mnist",
         "root": "/usr/share/datasets/fashion-mnist",
         "backboneWeights": "/data/weights/resnet50.safetensors", "dataWorkers": 0,
         "dataPrefetch": 2}
        """;
    mvc.perform(post("/v1/train-jobs").contentType(MediaType.APPLICATION_JSON).content(body))
        .andExpect(status().isAccepted());
    ArgumentCaptor<TrainJobRequest> request = ArgumentCaptor.forClass(TrainJobRequest.class);
    verify(jobs).submit(request.capture());
    assertThat(request.getValue().backboneWeights())
        .isEqualTo("/data/weights/resnet50.safetensors");
    assertThat(request.getValue().dataWorkers()).isZero();
    assertThat(request.getValue().dataPrefetch()).isEqualTo(2);
  }

  @Test
  void badBackboneWeightsAre400AndWeightsOutsideTheAllowedRoots403() throws Exception {
    when(jobs.submit(any()))
        .thenThrow(
            new IllegalArgumentException(
                "backbone weights /data/x.pt are not a torchvision ResNet-50"));
    mvc.perform(post("/v1/train-jobs").contentType(MediaType.APPLICATION_JSON).content(BODY))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(
            jsonPath("$.detail")
                .value("backbone weights /data/x.pt are not a torchvision ResNet-50"));
    doThrow(new PathNotAllowedException("backbone weights /etc/x is outside"))
        .when(jobs)
        .submit(any());
    mvc.perform(post("/v1/train-jobs").contentType(MediaType.APPLICATION_JSON).content(BODY))
        .andExpect(status().isForbidden())
        .andExpect(jsonPath("$.type").value("https://pipit.dev/problems/path-not-allowed"));
    String negative = BODY.replace("\"bits\": 48", "\"bits\": 48, \"dataWorkers\": -1");
    mvc.perform(post("/v1/train-jobs").contentType(MediaType.APPLICATION_JSON).content(negative))
        .andExpect(status().isBadRequest());
  }

  @Test
  void aTakenModelNameIs409() throws Exception {
    when(jobs.submit(any())).thenThrow(new ModelNameConflictException("a model named m1 exists"));
    mvc.perform(post("/v1/train-jobs").contentType(MediaType.APPLICATION_JSON).content(BODY))
        .andExpect(status().isConflict())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.type").value("https://pipit.dev/problems/model-name-taken"))
        .andExpect(jsonPath("$.detail").value("a model named m1 exists"));
  }

  @Test
  void aFullQueueIs429WithRetryAfter() throws Exception {
    when(jobs.submit(any()))
        .thenThrow(new JobsBusyException("the job queue is full", Duration.ofSeconds(60)));
    mvc.perform(post("/v1/train-jobs").contentType(MediaType.APPLICATION_JSON).content(BODY))
        .andExpect(status().isTooManyRequests())
        .andExpect(header().string("Retry-After", "60"))
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.detail").value("the job queue is full"));
  }

  @Test
  void anEventStreamPastTheCapIs429BeforeAnythingIsSent() throws Exception {
    when(jobs.get("j1")).thenReturn(Optional.of(job("j1", TrainJob.State.RUNNING)));
    when(jobs.subscribe(eq("j1"), any(), any()))
        .thenThrow(
            new JobsBusyException("too many event streams open (64)", Duration.ofSeconds(5)));
    mvc.perform(get("/v1/train-jobs/j1/events").accept(MediaType.TEXT_EVENT_STREAM))
        .andExpect(status().isTooManyRequests())
        .andExpect(header().string("Retry-After", "5"))
        .andExpect(jsonPath("$.detail").value("too many event streams open (64)"));
  }

  @Test
  void aFinishedJobStreamsOneEventAndEnds() throws Exception {
    when(jobs.get("j1")).thenReturn(Optional.of(job("j1", TrainJob.State.SUCCEEDED)));
    MvcResult started =
        mvc.perform(get("/v1/train-jobs/j1/events").accept(MediaType.TEXT_EVENT_STREAM))
            .andExpect(request().asyncStarted())
            .andReturn();
    String body =
        mvc.perform(asyncDispatch(started)).andReturn().getResponse().getContentAsString();
    assertThat(body).startsWith("event:job").contains("\"state\":\"SUCCEEDED\"");
    verify(jobs, never()).subscribe(any(), any(), any());
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRunningJobStreamsWhatItsSubscriptionDeliversUntilItEnds() throws Exception {
    when(jobs.get("j1")).thenReturn(Optional.of(job("j1", TrainJob.State.RUNNING)));
    ArgumentCaptor<Consumer<TrainJob>> sink = ArgumentCaptor.forClass(Consumer.class);
    ArgumentCaptor<Runnable> onEnd = ArgumentCaptor.forClass(Runnable.class);
    when(jobs.subscribe(eq("j1"), sink.capture(), onEnd.capture()))
        .thenReturn(mock(JobEvents.Subscription.class));
    MvcResult started =
        mvc.perform(get("/v1/train-jobs/j1/events").accept(MediaType.TEXT_EVENT_STREAM))
            .andExpect(request().asyncStarted())
            .andReturn();
    sink.getValue().accept(job("j1", TrainJob.State.RUNNING));
    sink.getValue().accept(job("j1", TrainJob.State.FAILED));
    onEnd.getValue().run();
    String body =
        mvc.perform(asyncDispatch(started)).andReturn().getResponse().getContentAsString();
    assertThat(body.split("event:job", -1)).hasSize(3);
    assertThat(body).contains("\"state\":\"RUNNING\"", "\"state\":\"FAILED\"");
  }

  @Test
  void anUnknownJobIs404() throws Exception {
    when(jobs.get("nope")).thenReturn(Optional.empty());
    mvc.perform(get("/v1/train-jobs/nope/events").accept(MediaType.TEXT_EVENT_STREAM))
        .andExpect(status().isNotFound());
  }
}
