package dev.pipit.config;

import dev.pipit.metrics.AuthMeters;
import dev.pipit.security.ApiKeyStore;
import dev.pipit.security.ApiSecurity;
import dev.pipit.security.Problems;
import dev.pipit.security.SecurityProperties;
import java.io.IOException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Wires {@code dev.pipit.security}: the API keys (configured, from a file, or generated under the
 * data directory), the optional JWT decoder Spring Boot makes from {@code
 * spring.security.oauth2.resourceserver.jwt.*}, and the filter chain.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SecurityProperties.class)
class SecurityConfiguration {

  @Bean
  ApiKeyStore apiKeyStore(
      SecurityProperties security, JobsProperties jobs, StorageProperties storage)
      throws IOException {
    return ApiKeyStore.load(security, jobs.adminToken(), storage.dataDir());
  }

  @Bean
  static RoleHierarchy roleHierarchy() {
    return ApiSecurity.roleHierarchy();
  }

  /**
   * The 400/401/403 answers; also the firewall's {@code RequestRejectedHandler}. Refusals are
   * counted in {@code pipit_auth_failures_total{reason}}.
   */
  @Bean
  Problems securityProblems(AuthMeters meters) {
    return new Problems(reason -> meters.failed(reason.tag()));
  }

  @Bean
  SecurityFilterChain apiSecurityFilterChain(
      HttpSecurity http,
      SecurityProperties security,
      ApiKeyStore keys,
      ObjectProvider<JwtDecoder> jwt,
      Problems problems)
      throws Exception {
    return ApiSecurity.filterChain(http, security, keys, jwt.getIfAvailable(), problems);
  }
}
