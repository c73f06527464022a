package dev.pipit.api;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.TestModels;
import dev.pipit.gallery.ServingState;
import dev.pipit.model.Architecture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * A model switch recorded a model whose artifact no longer verifies (a weights file was changed),
 * and a default is configured: the default serves, ready, with the fallback and its reason in
 * {@code GET /v1/system} and {@code /readyz}.
 */
@SpringBootTest
@AutoConfigureMockMvc
class RecordedModelFallbackTests {

  @TempDir static Path dir;

  @Autowired MockMvc mvc;

  @BeforeAll
  static void recordAModelThatNoLongerVerifies() throws Exception {
    Path models = dir.resolve("models");
    TestModels.writeRandom(models, "default-16", Architecture.ADSH_R50, 16, 32);
    Path tampered = Files.createDirectories(models.resolve("tampered-16"));
    Files.copy(models.resolve("default-16/manifest.json"), tampered.resolve("manifest.json"));
    Files.write(tampered.resolve("weights.params"), "changed on disk".getBytes());
    Path data = dir.resolve("data");
    new ServingState(data).record(tampered, data.resolve("index/tampered-16-1"));
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.serving.model", () -> dir.resolve("models/default-16").toString());
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.engine.device", () -> "cpu");
  }

  @Test
  void theDefaultServesAndTheFallbackIsVisible() throws Exception {
    mvc.perform(get("/v1/system"))
        .andExpect(jsonPath("$.serving.model").value("default-16"))
        .andExpect(jsonPath("$.serving.fallback").value(containsString("tampered-16")))
        .andExpect(jsonPath("$.serving.unavailable").doesNotExist());
    mvc.perform(get("/readyz"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.components.serving.details.model").value("default-16"))
        .andExpect(
            jsonPath("$.components.serving.details.fallback").value(containsString("tampered-16")));
    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\": \"0000\", \"k\": 1}"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model.id").value("default-16"));
  }
}
