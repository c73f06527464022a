package dev.pipit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.TestImages;
import dev.pipit.TestModels;
import dev.pipit.cluster.ClusterTestPostgres;
import dev.pipit.cluster.ShardFunction;
import dev.pipit.cluster.node.ClusterStore;
import dev.pipit.model.Architecture;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A cluster node with a model: an image indexed on it is encoded here, its original kept in
 * PostgreSQL as well as locally, and an original only another node kept is fetched from PostgreSQL
 * (and cached with its thumbnail); a search by image answers with the kept image. An activation of
 * another model (through {@code POST /v1/models/{id}/activate}) makes the node load that model's
 * network and answer images with it.
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles("node")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterNodeImagesTests {

  static final String KEY = "cluster-node-images-key";
  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir static Path dir;

  static ClusterTestPostgres.Database db;

  @Autowired MockMvc mvc;

  @BeforeAll
  static void model() throws Exception {
    TestModels.writeRandom(dir.resolve("models"), "node-16", Architecture.ADSH_R50, 16, 32);
    TestModels.writeRandom(dir.resolve("models"), "node-16b", Architecture.ADSH_R50, 16, 32);
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    db = ClusterTestPostgres.newDatabase();
    registry.add("pipit.serving.model", () -> dir.resolve("models/node-16").toString());
    registerNode(registry, dir, db, KEY);
  }

  /**
   * A cluster node on {@code db}, its data and models under {@code dir}, CPU, admin {@code key}.
   */
  static void registerNode(
      DynamicPropertyRegistry registry, Path dir, ClusterTestPostgres.Database db, String key) {
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.engine.device", () -> "cpu");
    registry.add("pipit.jobs.admin-token", () -> key);
    registry.add("pipit.cluster.mode", () -> "node");
    registry.add("pipit.cluster.postgres.url", db::url);
    registry.add("pipit.cluster.postgres.username", db::username);
    registry.add("pipit.cluster.postgres.password", db::password);
  }

  @Test
  void anImageIndexedOnANodeIsKeptInPostgresAndServedFromThereToo() throws Exception {
    byte[] png = png(new Random(3));
    JsonNode indexed =
        JSON.readTree(
            mvc.perform(
                    multipart("/v1/index")
                        .file(new MockMultipartFile("image", "a.png", "image/png", png))
                        .file(
                            new MockMultipartFile(
                                "items",
                                "",
                                "application/json",
                                "{\"items\":[{\"id\":\"photo-1\",\"label\":\"p\"}]}".getBytes()))
                        .header("Authorization", "Bearer " + KEY))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.indexed").value(1))
                .andReturn()
                .getResponse()
                .getContentAsString());
    assertThat(indexed.get("sequence").asLong()).isPositive();
    String url = indexed.get("items").get(0).get("image").asString();
    String sha = url.substring(url.lastIndexOf('/') + 1);
    try (Connection c = db.connect();
        ResultSet r =
            c.createStatement()
                .executeQuery("SELECT bytes FROM pipit_originals WHERE sha256 = '" + sha + "'")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getBytes(1)).isEqualTo(png);
    }
    try (Connection c = db.connect();
        ResultSet r =
            c.createStatement()
                .executeQuery("SELECT original FROM pipit_items WHERE id = 'photo-1'")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getString(1)).isEqualTo(sha);
    }
    assertThat(mvc.perform(get(url)).andReturn().getResponse().getContentAsByteArray())
        .isEqualTo(png);

    // an original another node kept (in PostgreSQL only): fetched from there, cached with its
    // thumbnail
    byte[] other = png(new Random(4));
    String otherSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(other));
    new ClusterStore(db.dataSource(), new ShardFunction(1))
        .putOriginal(otherSha, "image/png", other);
    mvc.perform(get("/v1/images/" + otherSha + "/thumbnail"))
        .andExpect(status().isOk())
        .andExpect(
            result -> assertThat(result.getResponse().getContentType()).isEqualTo("image/jpeg"));
    assertThat(
            mvc.perform(get("/v1/images/" + otherSha))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsByteArray())
        .isEqualTo(other);
    mvc.perform(get("/v1/images/" + "0".repeat(64))).andExpect(status().isNotFound());

    mvc.perform(
            multipart("/v1/search").file(new MockMultipartFile("image", "q.png", "image/png", png)))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.results[0].id").value("photo-1"))
        .andExpect(jsonPath("$.results[0].image").value(url));
    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\":\"0000\",\"k\":1}"))
        .andExpect(status().isOk());
  }

  /**
   * Runs last: it switches the served model. photo-1 has a kept original and no code of node-16b:
   * the activation re-encodes it with node-16b's network (a job, 202) before it is written.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void anActivationReencodesKeptOriginalsThenItsNetworkIsLoadedAndEncodesImages() throws Exception {
    JsonNode job =
        JSON.readTree(
            mvc.perform(
                    post("/v1/models/node-16b/activate").header("Authorization", "Bearer " + KEY))
                .andExpect(status().isAccepted())
                .andExpect(header().string("Location", "/v1/models/activation"))
                .andExpect(jsonPath("$.model").value("node-16b"))
                .andExpect(jsonPath("$.from").value("node-16"))
                .andExpect(jsonPath("$.total").value(1))
                .andReturn()
                .getResponse()
                .getContentAsString());
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (job.get("state").asString().equals("RUNNING")) {
      assertThat(System.nanoTime()).as("the activation job ends").isLessThan(deadline);
      Thread.sleep(200);
      job =
          JSON.readTree(
              mvc.perform(get("/v1/models/activation"))
                  .andExpect(status().isOk())
                  .andReturn()
                  .getResponse()
                  .getContentAsString());
    }
    assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
    assertThat(job.get("reencoded").asLong()).isEqualTo(1);
    long activated = job.get("sequence").asLong();
    try (Connection c = db.connect();
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT sequence FROM pipit_items WHERE id = 'photo-1'"
                        + " AND model_id = 'node-16b'")) {
      assertThat(r.next()).as("photo-1 re-encoded with node-16b").isTrue();
      assertThat(r.getLong(1)).isLessThan(activated);
    }
    byte[] photo1 = png(new Random(3));
    byte[] png = png(new Random(5));
    // node-16b's codes serve from the activation on; its network loads in the background, images
    // answering 503 until it serves
    while (mvc.perform(
                multipart("/v1/search")
                    .file(new MockMultipartFile("image", "q.png", "image/png", png))
                    .param("minSequence", Long.toString(activated)))
            .andReturn()
            .getResponse()
            .getStatus()
        == 503) {
      assertThat(System.nanoTime()).as("the network of node-16b loads").isLessThan(deadline);
      Thread.sleep(200);
    }
    // photo-1's re-encoded code is the one node-16b's network gives its image
    mvc.perform(
            multipart("/v1/search")
                .file(new MockMultipartFile("image", "q.png", "image/png", photo1)))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model.id").value("node-16b"))
        .andExpect(jsonPath("$.model.architecture").value("adsh-r50"))
        .andExpect(jsonPath("$.results.length()").value(1))
        .andExpect(jsonPath("$.results[0].id").value("photo-1"))
        .andExpect(jsonPath("$.results[0].distance").value(0));
    mvc.perform(
            multipart("/v1/index")
                .file(new MockMultipartFile("image", "b.png", "image/png", png))
                .file(
                    new MockMultipartFile(
                        "items",
                        "",
                        "application/json",
                        "{\"items\":[{\"id\":\"photo-b\"}]}".getBytes()))
                .header("Authorization", "Bearer " + KEY))
        .andExpect(status().isOk());
    try (Connection c = db.connect();
        ResultSet r =
            c.createStatement()
                .executeQuery("SELECT model_id FROM pipit_items WHERE id = 'photo-b'")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getString(1)).isEqualTo("node-16b");
    }
    mvc.perform(
            multipart("/v1/search").file(new MockMultipartFile("image", "q.png", "image/png", png)))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model.id").value("node-16b"))
        .andExpect(jsonPath("$.results[?(@.id == 'photo-b')].distance").value(0));
  }

  private static byte[] png(Random random) throws Exception {
    return TestImages.noisePng(random, 64, 48);
  }
}
