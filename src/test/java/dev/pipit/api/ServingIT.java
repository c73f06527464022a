package dev.pipit.api;

import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.TestModels;
import dev.pipit.model.Architecture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The whole application with a real (randomly initialised) ADSH-R50 model artifact: images and
 * codes in through HTTP, results and problem documents out.
 */
@SpringBootTest
@AutoConfigureMockMvc
class ServingIT {

  static final int SIDE = 64;
  static final int BITS = 32;

  /** A write key, configured hashed (SHA-256) under pipit.security.keys. */
  static final String WRITE_KEY = "pipit_write_serving-0123456789abcdefghijklmnopq";

  @TempDir static Path dir;

  @Autowired MockMvc mvc;

  @BeforeAll
  static void writeModel() throws Exception {
    TestModels.writeRandom(dir, "adsh-test-32", Architecture.ADSH_R50, BITS, SIDE);
  }

  static String sha256Hex(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException everyJdkHasIt) {
      throw new IllegalStateException(everyJdkHasIt);
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.serving.model", () -> dir.resolve("adsh-test-32").toString());
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.engine.device", () -> "cpu");
    registry.add("pipit.security.keys[0].name", () -> "serving-writer");
    registry.add("pipit.security.keys[0].hash", () -> "{sha256}" + sha256Hex(WRITE_KEY));
    registry.add("pipit.security.keys[0].roles", () -> "write");
  }

  static byte[] photo(String name) throws Exception {
    return Files.readAllBytes(Path.of("models/cache/samples", name));
  }

  @Test
  void theSystemEndpointReportsThatTheModelServesCompiled() throws Exception {
    mvc.perform(get("/v1/system"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.serving.model").value("adsh-test-32"))
        .andExpect(jsonPath("$.serving.path").value(startsWith("compiled: TorchScript/oneDNN")));
  }

  @Test
  void indexedImagesAreFoundByTheirOwnPhotoAndABadImageFailsOnlyItsItem() throws Exception {
    mvc.perform(
            multipart("/v1/index")
                .header("Authorization", "Bearer " + WRITE_KEY)
                .file(new MockMultipartFile("image", "eagle.jpg", "image/jpeg", photo("eagle.jpg")))
                .file(new MockMultipartFile("image", "dog.jpg", "image/jpeg", photo("dog.jpg")))
                .file(
                    new MockMultipartFile(
                        "image", "junk.jpg", "image/jpeg", new byte[] {1, 2, 3, 4, 5}))
                .file(
                    new MockMultipartFile(
                        "items",
                        "",
                        "application/json",
                        """
                        {"items": [{"id": "eagle", "label": "bird", "metadata": {"source": "darknet"}},
                                   {"id": "dog", "label": "dog"}, {"id": "junk"}]}
                        """
                            .getBytes())))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.indexed").value(2))
        .andExpect(jsonPath("$.failed").value(1))
        .andExpect(jsonPath("$.items[2].status").value("failed"))
        .andExpect(jsonPath("$.model.id").value("adsh-test-32"))
        .andExpect(jsonPath("$.model.bits").value(BITS));

    mvc.perform(
            multipart("/v1/search")
                .file(new MockMultipartFile("image", "eagle.jpg", "image/jpeg", photo("eagle.jpg")))
                .param("k", "2"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.results[0].id").value("eagle"))
        .andExpect(jsonPath("$.results[0].distance").value(0))
        .andExpect(jsonPath("$.results[0].label").value("bird"))
        .andExpect(jsonPath("$.results[0].metadata.source").value("darknet"))
        .andExpect(jsonPath("$.timings.encode").isNumber())
        .andExpect(jsonPath("$.timings.scan").isNumber());
  }

  @Test
  void codesCanBeIndexedReadSearchedAndDeleted() throws Exception {
    String zeros = "00000000";
    String ones = "ffffffff";
    mvc.perform(
            post("/v1/index")
                .header("Authorization", "Bearer " + WRITE_KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .content(
                    "{\"items\": [{\"id\": \"a\", \"code\": \""
                        + zeros
                        + "\"}, {\"id\": \"b\", \"code\": \""
                        + ones
                        + "\"}]}"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.indexed").value(2));

    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\": \"01000000\", \"radius\": 1}"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.results[0].id").value("a"))
        .andExpect(jsonPath("$.results[0].distance").value(1));
    mvc.perform(get("/v1/index/b"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.code").value(ones));
    mvc.perform(delete("/v1/index/b").header("Authorization", "Bearer " + WRITE_KEY))
        .andExpect(status().isNoContent());
    mvc.perform(get("/v1/index/b"))
        .andExpect(status().isNotFound())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    mvc.perform(delete("/v1/index/b").header("Authorization", "Bearer " + WRITE_KEY))
        .andExpect(status().isNotFound());
  }

  @Test
  void badInputGetsAPreciseProblem() throws Exception {
    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\": \"zz\"}"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.type").value(startsWith("https://pipit.dev/problems/invalid-code")));
    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\": \"00000000\", \"k\": 5000}"))
        .andExpect(status().isBadRequest());
    mvc.perform(post("/v1/search").contentType(MediaType.APPLICATION_JSON).content("{not json"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    mvc.perform(
            multipart("/v1/search")
                .file(new MockMultipartFile("image", "x.txt", "text/plain", "hello".getBytes())))
        .andExpect(status().isUnsupportedMediaType())
        .andExpect(jsonPath("$.reason").value("UNKNOWN_FORMAT"));
    byte[] truncated = Arrays.copyOf(photo("dog.jpg"), 2000);
    mvc.perform(
            multipart("/v1/search")
                .file(new MockMultipartFile("image", "dog.jpg", "image/jpeg", truncated)))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.reason").value("TRUNCATED"));
    mvc.perform(get("/v1/index"))
        .andExpect(status().isOk())
        .andExpect(header().string("Content-Type", startsWith("application/json")))
        .andExpect(jsonPath("$.bits").value(BITS))
        .andExpect(jsonPath("$.stats.search.kernel").isString())
        .andExpect(jsonPath("$.stats.durability.lastSeq").isNumber());
  }
}
