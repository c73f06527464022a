package dev.pipit.config;

import dev.pipit.model.EngineDefaults;
import dev.pipit.model.EngineDevice;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Loads the PyTorch engine once at start and resolves the configured device. */
@Configuration(proxyBeanMethods = false)
class EngineConfiguration {

  @Bean
  EngineDevice engineDevice(EngineProperties properties) {
    EngineDefaults.applyThreads(properties.interopThreads(), properties.intraopThreads());
    return EngineDevice.resolve(properties.device());
  }
}
