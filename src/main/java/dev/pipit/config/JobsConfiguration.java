package dev.pipit.config;

import dev.pipit.api.AdminAuthFilter;
import dev.pipit.jobs.TrainJobs;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Training jobs and the admin token that guards them. */
@Configuration(proxyBeanMethods = false)
class JobsConfiguration {

  private static final Logger log = LoggerFactory.getLogger(JobsConfiguration.class);

  @Bean(destroyMethod = "close")
  TrainJobs trainJobs(JobsProperties jobs, StorageProperties storage, EngineProperties engine)
      throws IOException {
    // Jobs train where the service was told to run its networks (pipit.engine.device).
    return new TrainJobs(
        storage.dataDir().resolve("jobs"),
        storage.modelsDir(),
        jobs.allowedRoots(),
        jobs.backboneWeights(),
        "service",
        engine.device(),
        jobs.limits());
  }

  @Bean
  FilterRegistrationBean<AdminAuthFilter> adminAuthFilter(
      JobsProperties jobs, Environment environment) {
    String token = jobs.adminToken();
    if (token == null || token.isBlank()) {
      byte[] random = new byte[24];
      new SecureRandom().nextBytes(random);
      token = HexFormat.of().formatHex(random);
      log.warn(
          "PIPIT_ADMIN_TOKEN is not set: admin endpoints accept this generated token for this run:"
              + " {}",
          token);
    }
    FilterRegistrationBean<AdminAuthFilter> registration =
        new FilterRegistrationBean<>(new AdminAuthFilter(token));
    registration.addUrlPatterns("/v1/*");
    return registration;
  }
}
