package dev.pipit.config;

import dev.pipit.gallery.ActiveModel;
import dev.pipit.metrics.EngineMetrics;
import dev.pipit.metrics.IndexKernelMetrics;
import dev.pipit.metrics.StorageMetrics;
import dev.pipit.model.EngineDevice;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers pipit's meter binders. */
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
  IndexKernelMetrics indexKernelMetrics() {
    return new IndexKernelMetrics();
  }
}
