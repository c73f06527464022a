package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the packaged jar as a real process, the way {@code make run} does, and talks HTTP to it.
 */
class PackagedJarIT {

  @TempDir static Path workDir;
  static ServiceProcess service;

  @BeforeAll
  static void start() throws Exception {
    // No --enable-native-access here: the jar's manifest must grant it.
    service = ServiceProcess.start(workDir, List.of(), List.of("--pipit.engine.device=cpu"));
    service.awaitReady(Duration.ofMinutes(3));
  }

  @AfterAll
  static void stop() throws Exception {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void livenessAndReadinessAreUp() throws Exception {
    assertThat(service.get("/actuator/health/liveness").body()).contains("\"UP\"");
    assertThat(service.get("/actuator/health/readiness").body()).contains("\"UP\"");
    assertThat(service.get("/livez").statusCode()).isEqualTo(200);
  }

  @Test
  void servesTheOpenApiDocumentAndSwaggerUi() throws Exception {
    HttpResponse<String> docs = service.get("/v3/api-docs");

    assertThat(docs.statusCode()).isEqualTo(200);
    assertThat(docs.body()).contains("\"openapi\"").contains("/v1/system");
    assertThat(service.get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
  }

  @Test
  void reportsTheEngineInTheApiAndInPrometheus() throws Exception {
    assertThat(service.get("/v1/system").body()).contains("\"PyTorch\"").contains("\"cpu\"");
    assertThat(service.get("/actuator/prometheus").body())
        .contains("pipit_engine_device{")
        .contains("device=\"cpu\"");
  }

  @Test
  void errorsAreProblemDocuments() throws Exception {
    HttpResponse<String> missing = service.get("/v1/models/does-not-exist");
    // A route that is not in the security route table is denied before routing (deny by default).
    HttpResponse<String> unrouted = service.get("/v1/does-not-exist");

    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(unrouted.statusCode()).isEqualTo(401);
    for (HttpResponse<String> response : List.of(missing, unrouted)) {
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    }
  }

  @Test
  void launchPrintsNoRestrictedMethodWarning() throws Exception {
    assertThat(service.log()).contains("Engine PyTorch 2.0.1").doesNotContain("restricted method");
  }
}
