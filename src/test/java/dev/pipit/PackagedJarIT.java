package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.pipit.model.Architecture;
import java.io.Reader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
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

  /**
   * A fresh deployment (the container images, Kubernetes) starts with no model: the first
   * activation has no gallery to carry over and serves at once.
   */
  @Test
  void aModelActivatedWhenNoneServesServesAtOnce() throws Exception {
    TestModels.writeImageNet(workDir.resolve("models"), "first", Architecture.ADSH_R50, 16, 64);
    Properties keys = new Properties();
    try (Reader reader = Files.newBufferedReader(workDir.resolve("data/api-keys.txt"))) {
      keys.load(reader);
    }
    String admin = "Bearer " + keys.getProperty("admin");
    byte[] dog = ServiceEndToEndIT.photo("dog.jpg");
    assertThat(
            service.post("/v1/search", new Multipart().file("image", "d.jpg", "image/jpeg", dog)))
        .extracting(HttpResponse::statusCode)
        .isEqualTo(503);

    String status = service.activate("first", "Authorization", admin);
    assertThat((Integer) JsonPath.read(status, "$.total")).isZero();

    HttpResponse<String> indexed =
        service.post(
            "/v1/index",
            new Multipart()
                .file("image", "dog.jpg", "image/jpeg", dog)
                .json("items", "{\"items\": [{\"id\": \"dog\"}]}"),
            "Authorization",
            admin);
    assertThat(indexed.statusCode()).as(indexed.body()).isBetween(200, 201);
    HttpResponse<String> search =
        service.post("/v1/search?k=1", new Multipart().file("image", "d.jpg", "image/jpeg", dog));
    assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
    assertThat((String) JsonPath.read(search.body(), "$.model.id")).isEqualTo("first");
    assertThat((String) JsonPath.read(search.body(), "$.results[0].id")).isEqualTo("dog");
  }

  @Test
  void launchPrintsNoRestrictedMethodWarning() throws Exception {
    assertThat(service.log()).contains("Engine PyTorch 2.0.1").doesNotContain("restricted method");
  }
}
