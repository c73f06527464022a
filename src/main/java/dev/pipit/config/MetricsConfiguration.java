package dev.pipit.config;

import dev.pipit.encode.DecodePool;
import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.ImageStore;
import dev.pipit.gallery.ModelSwitch;
import dev.pipit.jobs.TrainJobs;
import dev.pipit.metrics.AuthMeters;
import dev.pipit.metrics.EncoderMeters;
import dev.pipit.metrics.EngineMetrics;
import dev.pipit.metrics.GalleryMeters;
import dev.pipit.metrics.IndexMeters;
import dev.pipit.metrics.JobMeters;
import dev.pipit.metrics.JobMetrics;
import dev.pipit.metrics.ServingMetrics;
import dev.pipit.metrics.StorageMetrics;
import dev.pipit.model.EngineDevice;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Registers pipit's meter binders, and the recorders the feature packages report to through their
 * listener interfaces (docs/metrics.md lists every meter).
 */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

  @Bean
  StorageMetrics storageMetrics(ActiveModel active) {
    return new StorageMetrics(active);
  }

  @Bean
  EngineMetrics engineMetrics(EngineDevice engineDevice) {
    return new EngineMetrics(engineDevice);
  }

  @Bean
  IndexMeters indexMeters(MeterRegistry registry) {
    return new IndexMeters(registry);
  }

  @Bean
  EncoderMeters encoderMeters(MeterRegistry registry) {
    return new EncoderMeters(registry);
  }

  @Bean
  GalleryMeters galleryMeters(MeterRegistry registry) {
    return new GalleryMeters(registry);
  }

  @Bean
  JobMeters jobMeters(MeterRegistry registry) {
    return new JobMeters(registry);
  }

  @Bean
  AuthMeters authMeters(MeterRegistry registry) {
    return new AuthMeters(registry);
  }

  @Bean
  JobMetrics jobMetrics(TrainJobs jobs) {
    return new JobMetrics(jobs);
  }

  /** Reads the switch lazily: the switch reports its duration to the gallery meters. */
  @Bean
  ServingMetrics servingMetrics(
      ActiveModel active,
      DecodePool decodePool,
      ImageStore store,
      ObjectProvider<ModelSwitch> modelSwitch) {
    return new ServingMetrics(active, decodePool, store, () -> modelSwitch.getObject().status());
  }
}
