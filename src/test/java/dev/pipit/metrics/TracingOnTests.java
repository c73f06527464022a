package dev.pipit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.sun.net.httpserver.HttpServer;
import dev.pipit.TestModels;
import dev.pipit.model.Architecture;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.ApplicationContext;
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
// inline and system properties, not dynamic ones: the switch reads them while the environment is
// prepared, before dynamic properties exist
@SpringBootTest(properties = "pipit.tracing.enabled=true")
@AutoConfigureMockMvc
class TracingOnTests {

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

  /** An OTLP/HTTP receiver on a loopback port: counts the trace exports it is sent. */
  static HttpServer receiver;

  static final AtomicInteger exports = new AtomicInteger();

  @BeforeAll
  static void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/v1/traces",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          if ("POST".equals(exchange.getRequestMethod()) && body.length > 0) {
            exports.incrementAndGet();
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    System.setProperty(
        "pipit.tracing.endpoint",
        "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces");
  }

  @AfterAll
  static void stopReceiver() {
    System.clearProperty("pipit.tracing.endpoint");
    receiver.stop(0);
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
  void spansGoToTheOtlpEndpoint() throws Exception {
    search();
    exported();
    assertThat(context.getBeanNamesForType(OtlpHttpSpanExporter.class)).hasSize(1);
    assertThat(exports.get()).as("OTLP trace exports received").isPositive();
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
