package dev.pipit.config;

import org.springframework.boot.jackson.autoconfigure.JsonFactoryBuilderCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.core.StreamReadConstraints;

/**
 * Limits on request bodies: a byte limit on JSON bodies (413, checked before parsing) and Jackson's
 * stream-read constraints (nesting depth, string length, document length) for what is parsed.
 */
@Configuration(proxyBeanMethods = false)
class RequestLimitsConfiguration {

  @Bean
  FilterRegistrationBean<JsonBodyLimitFilter> jsonBodyLimitFilter(ServingProperties serving) {
    FilterRegistrationBean<JsonBodyLimitFilter> registration =
        new FilterRegistrationBean<>(new JsonBodyLimitFilter(serving.maxJsonBytes()));
    registration.addUrlPatterns("/*");
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
    return registration;
  }

  @Bean
  JsonFactoryBuilderCustomizer jsonReadConstraints(ServingProperties serving) {
    return builder ->
        builder.streamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(serving.maxJsonDepth())
                .maxStringLength(serving.maxJsonStringLength())
                .maxNameLength(serving.maxJsonStringLength())
                .maxDocumentLength(serving.maxJsonBytes())
                .build());
  }
}
