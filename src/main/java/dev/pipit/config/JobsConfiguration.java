package dev.pipit.config;

import dev.pipit.jobs.TrainJobs;
import dev.pipit.metrics.JobMeters;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Training jobs (their admin endpoints are guarded by {@code SecurityConfiguration}). */
@Configuration(proxyBeanMethods = false)
class JobsConfiguration {

  @Bean(destroyMethod = "close")
  TrainJobs trainJobs(
      JobsProperties jobs, StorageProperties storage, EngineProperties engine, JobMeters meters)
      throws IOException {
    // Jobs train where the service was told to run its networks (pipit.engine.device).
    return new TrainJobs(
        storage.dataDir().resolve("jobs"),
        storage.modelsDir(),
        jobs.allowedRoots(),
        jobs.backboneWeights(),
        "service",
        engine.device(),
        jobs.limits(),
        meters);
  }
}
