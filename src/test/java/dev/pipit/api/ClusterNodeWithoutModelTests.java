package dev.pipit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.TestImages;
import dev.pipit.TestModels;
import dev.pipit.cluster.ClusterTestPostgres;
import dev.pipit.model.Architecture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * A fresh deployment of the Kubernetes cluster overlay: the node starts without {@code
 * pipit.serving.model} (codes only, images 503), the model is copied into its models directory and
 * activated once; the node then loads that model's network and indexes and finds images with it.
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles("node")
class ClusterNodeWithoutModelTests {

  static final String KEY = "cluster-node-without-model-key";

  @TempDir static Path dir;

  @Autowired MockMvc mvc;

  @BeforeAll
  static void model() throws Exception {
    // copied in after the start, as `kubectl cp` does; the node looks it up at the activation
    TestModels.writeRandom(dir.resolve("models"), "copied-16", Architecture.ADSH_R50, 16, 32);
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    // no pipit.serving.model: as the cluster overlay's nodes start
    ClusterNodeImagesTests.registerNode(registry, dir, ClusterTestPostgres.newDatabase(), KEY);
  }

  @Test
  void theActivatedModelsNetworkIndexesAndFindsImages() throws Exception {
    byte[] photo = png(new Random(11));
    search(photo).andExpect(status().isServiceUnavailable());

    mvc.perform(post("/v1/models/copied-16/activate").header("Authorization", "Bearer " + KEY))
        .andExpect(status().is2xxSuccessful());
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (search(photo).andReturn().getResponse().getStatus() != 200) {
      assertThat(System.nanoTime()).as("the activated network loads").isLessThan(deadline);
      Thread.sleep(200);
    }
    mvc.perform(
            multipart("/v1/index")
                .file(new MockMultipartFile("image", "p.png", "image/png", photo))
                .file(
                    new MockMultipartFile(
                        "items",
                        "",
                        "application/json",
                        "{\"items\":[{\"id\":\"photo\"}]}".getBytes()))
                .header("Authorization", "Bearer " + KEY))
        .andExpect(status().isOk());
    search(photo)
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model.id").value("copied-16"))
        .andExpect(jsonPath("$.results[0].id").value("photo"))
        .andExpect(jsonPath("$.results[0].distance").value(0));
  }

  private ResultActions search(byte[] image) throws Exception {
    return mvc.perform(
        multipart("/v1/search").file(new MockMultipartFile("image", "q.png", "image/png", image)));
  }

  private static byte[] png(Random random) throws Exception {
    return TestImages.noisePng(random, 64, 48);
  }
}
