package dev.pipit.config;

import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns tracing on and off with one setting, {@code pipit.tracing.enabled} ({@code
 * PIPIT_TRACING_ENABLED=true}): on, every request is sampled and its spans go by OTLP/HTTP to
 * {@code pipit.tracing.endpoint}; off (the default), nothing is sampled and no exporter exists. The
 * defaults it adds come last, so an explicit {@code management.tracing.*} or {@code
 * management.opentelemetry.*} setting still wins.
 */
public final class TracingSwitch implements EnvironmentPostProcessor, Ordered {

  static final String SOURCE = "pipitTracingDefaults";
  static final String DEFAULT_ENDPOINT = "http://localhost:4318/v1/traces";

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    boolean on = environment.getProperty("pipit.tracing.enabled", Boolean.class, false);
    Map<String, Object> defaults = new HashMap<>();
    defaults.put("management.tracing.sampling.probability", on ? "1.0" : "0.0");
    defaults.put("management.tracing.export.enabled", Boolean.toString(on));
    if (on) {
      defaults.put(
          "management.opentelemetry.tracing.export.otlp.endpoint",
          environment.getProperty("pipit.tracing.endpoint", DEFAULT_ENDPOINT));
    }
    environment.getPropertySources().addLast(new MapPropertySource(SOURCE, defaults));
  }

  /** After the configuration files are read, so that {@code pipit.tracing.*} can be set there. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
