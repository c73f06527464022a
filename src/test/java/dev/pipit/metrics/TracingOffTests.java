package dev.pipit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.matchesPattern;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The whole application with pipit's default tracing settings and no model: requests are not
 * sampled, so no span reaches an exporter and no histogram carries an exemplar, while a 5xx problem
 * still names the request's trace id (the id its log lines carry).
 */
@SpringBootTest
@AutoConfigureMockMvc
@ExtendWith(OutputCaptureExtension.class)
class TracingOffTests {

  @TempDir static Path dir;

  @Autowired MockMvc mvc;
  @Autowired CollectingSpanExporter exporter;
  @Autowired SdkTracerProvider tracerProvider;
  @Autowired ApplicationContext context;

  @TestConfiguration
  static class Exporter {
    @Bean
    CollectingSpanExporter collectingSpanExporter() {
      return new CollectingSpanExporter();
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.engine.device", () -> "cpu");
  }

  @Test
  void aFailedSearchNamesItsTraceButExportsNoSpan() throws Exception {
    byte[] photo = Files.readAllBytes(Path.of("models/cache/samples", "eagle.jpg"));
    mvc.perform(
            multipart("/v1/search")
                .file(new MockMultipartFile("image", "eagle.jpg", "image/jpeg", photo)))
        .andExpect(status().isServiceUnavailable())
        .andExpect(jsonPath("$.type").value("https://pipit.dev/problems/no-model"))
        .andExpect(jsonPath("$.traceId").value(matchesPattern("[0-9a-f]{32}")));
    mvc.perform(get("/v1/system")).andExpect(status().isOk());

    tracerProvider.forceFlush().join(10, TimeUnit.SECONDS);
    assertThat(exporter.spans()).isEmpty();
    assertThat(context.getBeanNamesForType(OtlpHttpSpanExporter.class)).isEmpty();
    String scrape =
        mvc.perform(
                get("/actuator/prometheus")
                    .header("Accept", "application/openmetrics-text; version=1.0.0"))
            .andExpect(status().isOk())
            .andReturn()
            .getResponse()
            .getContentAsString();
    assertThat(scrape).contains("http_server_requests_seconds_bucket").doesNotContain("trace_id");
  }

  @Test
  void logLinesOfARequestCarryItsTraceId(CapturedOutput output) throws Exception {
    mvc.perform(post("/v1/index").contentType("application/json").content("{\"items\":[]}"))
        .andExpect(status().isUnauthorized());
    String audit =
        output.getOut().lines().filter(l -> l.contains("path=/v1/index")).findFirst().orElse("");
    // Boot's correlation field: [<32 hex trace id>-<16 hex span id>]
    assertThat(audit).containsPattern("\\[[0-9a-f]{32}-[0-9a-f]{16}\\]");
  }
}
