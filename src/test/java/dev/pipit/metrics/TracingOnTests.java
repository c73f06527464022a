package dev.pipit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.TestModels;
import dev.pipit.model.Architecture;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The whole application with {@code pipit.tracing.enabled=true} and a real (random) model: a search
 * makes decode, queue, encode, scan and hydrate spans under its HTTP server span, and the latency
 * histograms carry the request's trace id as an exemplar.
 */
// an inline property, not a dynamic one: the switch reads it while the environment is prepared
@SpringBootTest(
    properties = {
      "pipit.tracing.enabled=true",
      "pipit.tracing.endpoint=http://127.0.0.1:9/v1/traces"
    })
@AutoConfigureMockMvc
class TracingOnTests {

  @TempDir static Path dir;

  @Autowired MockMvc mvc;
  @Autowired CollectingSpanExporter exporter;
  @Autowired SdkTracerProvider tracerProvider;

  @TestConfiguration
  static class Exporter {
    @Bean
    CollectingSpanExporter collectingSpanExporter() {
      return new CollectingSpanExporter();
    }
  }

  @BeforeAll
  static void writeModel() throws Exception {
    TestModels.writeRandom(dir, "adsh-trace-32", Architecture.ADSH_R50, 32, 64);
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.serving.model", () -> dir.resolve("adsh-trace-32").toString());
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.engine.device", () -> "cpu");
  }

  String search() throws Exception {
    byte[] photo = Files.readAllBytes(Path.of("models/cache/samples", "eagle.jpg"));
    return mvc.perform(
            multipart("/v1/search")
                .file(new MockMultipartFile("image", "eagle.jpg", "image/jpeg", photo))
                .param("k", "2"))
        .andExpect(status().isOk())
        .andReturn()
        .getResponse()
        .getContentAsString();
  }

  List<SpanData> exported() {
    tracerProvider.forceFlush().join(10, TimeUnit.SECONDS);
    return exporter.spans();
  }

  @Test
  void searchStagesAreChildSpansOfTheHttpServerSpan() throws Exception {
    search();
    List<SpanData> spans = exported();
    List<SpanData> servers =
        spans.stream()
            .filter(s -> s.getKind() == SpanKind.SERVER)
            .filter(s -> s.getName().contains("/v1/search"))
            .toList();
    assertThat(servers).as("server spans among %s", spans).isNotEmpty();
    SpanData server = servers.getLast();
    Map<String, SpanData> byId =
        spans.stream().collect(Collectors.toMap(SpanData::getSpanId, s -> s, (a, b) -> a));
    // each stage is a child of the span current on the request thread (Spring Security's
    // "secured request" sits between), so it descends from the HTTP server span
    Map<String, SpanData> children =
        spans.stream()
            .filter(s -> descendsFrom(s, server.getSpanId(), byId))
            .collect(Collectors.toMap(SpanData::getName, s -> s, (a, b) -> a));
    for (SpanData stage : children.values()) {
      assertThat(stage.getTraceId()).isEqualTo(server.getTraceId());
      assertThat(stage.getEndEpochNanos()).isGreaterThanOrEqualTo(stage.getStartEpochNanos());
    }
    // laid end to end: decode, then the wait for a batch, then the forward pass, then the scan
    assertThat(children.get("decode").getStartEpochNanos())
        .isLessThanOrEqualTo(children.get("encode").getStartEpochNanos());
    assertThat(children.get("encode").getEndEpochNanos())
        .isLessThanOrEqualTo(children.get("scan").getStartEpochNanos() + 1_000_000);
  }

  static boolean descendsFrom(SpanData span, String ancestorId, Map<String, SpanData> byId) {
    for (SpanData at = span; at != null; at = byId.get(at.getParentSpanId())) {
      if (at.getParentSpanId().equals(ancestorId)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void latencyHistogramsCarryTheTraceIdAsExemplar() throws Exception {
    search();
    List<String> traceIds =
        exported().stream()
            .filter(s -> s.getKind() == SpanKind.SERVER)
            .map(SpanData::getTraceId)
            .toList();
    String scrape =
        mvc.perform(
                get("/actuator/prometheus")
                    .header("Accept", "application/openmetrics-text; version=1.0.0"))
            .andExpect(status().isOk())
            .andReturn()
            .getResponse()
            .getContentAsString();
    Matcher exemplar =
        Pattern.compile(
                "(?m)^http_server_requests_seconds_bucket\\{[^}]*uri=\"/v1/search\"[^}]*\\} \\S+"
                    + " # \\{[^}]*trace_id=\"([0-9a-f]{32})\"")
            .matcher(scrape);
    assertThat(exemplar.find()).as("an exemplar on a /v1/search bucket").isTrue();
    assertThat(traceIds).contains(exemplar.group(1));
  }
}
