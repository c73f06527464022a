package dev.pipit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.gallery.ServingState;
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
 * A model switch recorded a model whose artifact has since disappeared, and no default is
 * configured: the service starts (no crash loop), not ready with the reason, search and index
 * answer 503 with it, and the recorded gallery's originals are kept for when the model returns.
 */
@SpringBootTest
@AutoConfigureMockMvc
class RecordedModelNotReadyTests {

  static final String ORIGINAL = "ab" + "0".repeat(62);

  @TempDir static Path dir;

  @Autowired MockMvc mvc;

  @BeforeAll
  static void recordAModelThatIsGone() throws Exception {
    Path data = dir.resolve("data");
    new ServingState(data).record(dir.resolve("models/gone-48"), data.resolve("index/gone-48-1"));
    Path shard = Files.createDirectories(data.resolve("originals/ab"));
    Files.write(shard.resolve(ORIGINAL), new byte[] {1, 2, 3});
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.engine.device", () -> "cpu");
    registry.add("pipit.jobs.admin-token", () -> ADMIN_KEY);
  }

  /** An admin key (admin implies write), so the index call reaches the gallery. */
  static final String ADMIN_KEY = "not-ready-admin-key";

  @Test
  void theServiceIsNotReadyAndSaysWhy() throws Exception {
    mvc.perform(get("/readyz"))
        .andExpect(status().isServiceUnavailable())
        .andExpect(jsonPath("$.status").value("DOWN"))
        .andExpect(jsonPath("$.components.serving.status").value("DOWN"))
        .andExpect(
            jsonPath("$.components.serving.details.reason").value(containsString("gone-48")));
    mvc.perform(get("/livez")).andExpect(status().isOk());
    mvc.perform(get("/v1/system"))
        .andExpect(jsonPath("$.serving.unavailable").value(containsString("gone-48")));
  }

  @Test
  void searchAndIndexAnswer503WithTheReason() throws Exception {
    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\": \"00000000\", \"k\": 1}"))
        .andExpect(status().isServiceUnavailable())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.detail").value(containsString("gone-48")));
    mvc.perform(
            post("/v1/index")
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"items\": [{\"id\": \"a\", \"code\": \"00000000\"}]}"))
        .andExpect(status().isServiceUnavailable())
        .andExpect(jsonPath("$.detail").value(containsString("no default model")));
  }

  @Test
  void theRecordedGallerysOriginalsAndRecordAreKept() throws Exception {
    assertThat(dir.resolve("data/originals/ab").resolve(ORIGINAL)).exists();
    assertThat(Files.readString(dir.resolve("data/serving.json"))).contains("gone-48");
  }
}
