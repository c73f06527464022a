package dev.pipit.security;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.options;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/** {@code anonymous-read: false} makes reads need a read key; CORS answers listed origins only. */
@SpringBootTest
@AutoConfigureMockMvc
class ReadAccessAndCorsTests {

  @TempDir static Path dir;

  @Autowired MockMvc mvc;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.engine.device", () -> "cpu");
    registry.add("pipit.security.anonymous-read", () -> "false");
    registry.add("pipit.security.cors.allowed-origins", () -> "https://app.example.com");
    TestKeys.register(registry);
  }

  @Test
  void readsNeedAReadKey() throws Exception {
    mvc.perform(get("/v1/models"))
        .andExpect(status().isUnauthorized())
        .andExpect(header().string("WWW-Authenticate", "Bearer"));
    mvc.perform(get("/v1/models").header("Authorization", "Bearer " + TestKeys.READ))
        .andExpect(status().isOk());
    // admin implies read
    mvc.perform(get("/v1/models").header("Authorization", "Bearer " + TestKeys.ADMIN))
        .andExpect(status().isOk());
    // probes stay public
    mvc.perform(get("/livez")).andExpect(status().isOk());
  }

  @Test
  void corsAnswersOnlyTheListedOrigin() throws Exception {
    mvc.perform(
            options("/v1/index")
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type"))
        .andExpect(status().isOk())
        .andExpect(header().string("Access-Control-Allow-Origin", "https://app.example.com"));
    mvc.perform(
            options("/v1/index")
                .header("Origin", "https://evil.example.com")
                .header("Access-Control-Request-Method", "POST"))
        .andExpect(status().isForbidden())
        .andExpect(header().doesNotExist("Access-Control-Allow-Origin"));
  }
}
