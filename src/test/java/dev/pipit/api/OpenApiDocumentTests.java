package dev.pipit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.jayway.jsonpath.JsonPath;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The OpenAPI document describes every endpoint, with examples for the main bodies and the admin
 * scheme.
 */
@SpringBootTest
@AutoConfigureMockMvc
class OpenApiDocumentTests {

  @TempDir static Path dir;

  @Autowired MockMvc mvc;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.engine.device", () -> "cpu");
  }

  @Test
  void everyEndpointIsDocumentedWithSummariesSchemasAndExamples() throws Exception {
    String doc = mvc.perform(get("/v3/api-docs")).andReturn().getResponse().getContentAsString();
    Map<String, Map<String, Object>> paths = JsonPath.read(doc, "$.paths");
    assertThat(paths.keySet())
        .contains(
            "/v1/search",
            "/v1/search/batch",
            "/v1/index",
            "/v1/index/{id}",
            "/v1/images/{sha256}",
            "/v1/images/{sha256}/thumbnail",
            "/v1/models",
            "/v1/models/{id}",
            "/v1/models/{id}/activate",
            "/v1/models/activation",
            "/v1/train-jobs",
            "/v1/train-jobs/{id}",
            "/v1/train-jobs/{id}/events",
            "/v1/train-jobs/{id}/cancel",
            "/v1/system");
    for (var path : paths.entrySet()) {
      if (!path.getKey().startsWith("/v1/")) {
        continue;
      }
      for (var operation : path.getValue().entrySet()) {
        assertThat(
                JsonPath.<String>read(
                    doc, "$.paths['" + path.getKey() + "']." + operation.getKey() + ".summary"))
            .as(operation.getKey() + " " + path.getKey())
            .isNotBlank();
      }
    }
    for (String schema :
        List.of(
            "CodeSearchRequest",
            "IndexRequest",
            "TrainJobRequest",
            "SearchResponse",
            "IndexResponse")) {
      assertThat(JsonPath.<Object>read(doc, "$.components.schemas." + schema + ".example"))
          .as(schema)
          .isNotNull();
    }
    for (String field : List.of("backboneWeights", "dataWorkers", "dataPrefetch")) {
      assertThat(
              JsonPath.<Object>read(
                  doc, "$.components.schemas.TrainJobRequest.properties." + field))
          .as("TrainJobRequest." + field)
          .isNotNull();
    }
    assertThat(JsonPath.<String>read(doc, "$.components.securitySchemes.admin.scheme"))
        .isEqualTo("bearer");
    List<Object> adminOps = JsonPath.read(doc, "$.paths['/v1/models/{id}/activate'].post.security");
    assertThat(adminOps).isNotEmpty();
  }
}
