package dev.pipit.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The one tracing setting, and that an explicit management setting still wins over it. */
class TracingSwitchTests {

  static StandardEnvironment environment(Map<String, Object> settings) {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new MapPropertySource("settings", settings));
    new TracingSwitch().postProcessEnvironment(environment, new SpringApplication());
    return environment;
  }

  @Test
  void offByDefaultSamplesNothingAndExportsNowhere() {
    StandardEnvironment off = environment(Map.of());
    assertThat(off.getProperty("management.tracing.sampling.probability")).isEqualTo("0.0");
    assertThat(off.getProperty("management.tracing.export.enabled")).isEqualTo("false");
    assertThat(off.getProperty("management.opentelemetry.tracing.export.otlp.endpoint")).isNull();
  }

  @Test
  void onSamplesEveryRequestAndExportsToTheEndpoint() {
    StandardEnvironment on = environment(Map.of("pipit.tracing.enabled", "true"));
    assertThat(on.getProperty("management.tracing.sampling.probability")).isEqualTo("1.0");
    assertThat(on.getProperty("management.tracing.export.enabled")).isEqualTo("true");
    assertThat(on.getProperty("management.opentelemetry.tracing.export.otlp.endpoint"))
        .isEqualTo("http://localhost:4318/v1/traces");

    StandardEnvironment elsewhere =
        environment(
            Map.of(
                "pipit.tracing.enabled", "true",
                "pipit.tracing.endpoint", "http://collector:4318/v1/traces"));
    assertThat(elsewhere.getProperty("management.opentelemetry.tracing.export.otlp.endpoint"))
        .isEqualTo("http://collector:4318/v1/traces");
  }

  @Test
  void anExplicitManagementSettingWins() {
    StandardEnvironment tenth =
        environment(
            Map.of(
                "pipit.tracing.enabled", "true",
                "management.tracing.sampling.probability", "0.1"));
    assertThat(tenth.getProperty("management.tracing.sampling.probability")).isEqualTo("0.1");
    assertThat(tenth.getProperty("management.tracing.export.enabled")).isEqualTo("true");
  }
}
