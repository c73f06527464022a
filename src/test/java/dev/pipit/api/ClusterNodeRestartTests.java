package dev.pipit.api;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.TestModels;
import dev.pipit.cluster.ClusterTestPostgres;
import dev.pipit.cluster.ShardFunction;
import dev.pipit.cluster.node.ClusterSchema;
import dev.pipit.cluster.node.ClusterStore;
import dev.pipit.model.Architecture;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import javax.imageio.ImageIO;
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

/**
 * A node configured with one model ({@code pipit.serving.model}) that starts after the cluster
 * activated another: it serves the activated model's network (from its models directory), not the
 * configured one, and does not fail to start.
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles("node")
class ClusterNodeRestartTests {

  @TempDir static Path dir;

  static ClusterTestPostgres.Database db;

  @Autowired MockMvc mvc;

  @BeforeAll
  static void activatedBeforeStart() throws Exception {
    db = ClusterTestPostgres.newDatabase();
    TestModels.writeRandom(dir.resolve("models"), "first-16", Architecture.ADSH_R50, 16, 32);
    TestModels.writeRandom(dir.resolve("models"), "second-16", Architecture.ADSH_R50, 16, 32);
    ClusterSchema.migrate(db.dataSource());
    new ClusterStore(db.dataSource(), new ShardFunction(1)).activate("second-16", 16);
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.serving.model", () -> dir.resolve("models/first-16").toString());
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.engine.device", () -> "cpu");
    registry.add("pipit.cluster.mode", () -> "node");
    // suppliers: the database is made in activatedBeforeStart, which runs first
    registry.add("pipit.cluster.postgres.url", () -> db.url());
    registry.add("pipit.cluster.postgres.username", () -> db.username());
    registry.add("pipit.cluster.postgres.password", () -> db.password());
  }

  @Test
  void servesTheActivatedModelsNetwork() throws Exception {
    BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    image.setRGB(3, 4, 0xff8800);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(image, "png", png);
    // the switch may be applied by the tail just after start: its network then loads meanwhile
    long deadline = System.nanoTime() + 120_000_000_000L;
    int answered;
    do {
      Thread.sleep(200);
      answered =
          mvc.perform(
                  multipart("/v1/search")
                      .file(
                          new MockMultipartFile("image", "q.png", "image/png", png.toByteArray())))
              .andReturn()
              .getResponse()
              .getStatus();
    } while (answered == 503 && System.nanoTime() < deadline);
    mvc.perform(
            multipart("/v1/search")
                .file(new MockMultipartFile("image", "q.png", "image/png", png.toByteArray())))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model.id").value("second-16"))
        .andExpect(jsonPath("$.model.architecture").value("adsh-r50"));
  }
}
