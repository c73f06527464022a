package dev.pipit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.TestModels;
import dev.pipit.cluster.ClusterTestPostgres;
import dev.pipit.cluster.ShardFunction;
import dev.pipit.cluster.node.ClusterStore;
import dev.pipit.cluster.node.ItemWrite;
import dev.pipit.index.Code;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service as a light cluster node (no model: 16-bit codes only) of shard 1 of 2 on a real
 * PostgreSQL: writes answer with their sequence, another shard's id is 409, searches wait for
 * {@code minSequence} or answer 504, readiness has {@code replication}, with PostgreSQL gone writes
 * answer 503 while searches still answer, and {@code POST /v1/models/{id}/activate} commits an
 * activation that switches the served model at its sequence (problems as standalone's otherwise).
 */
@SpringBootTest
@AutoConfigureMockMvc
@ActiveProfiles("node")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterNodeHttpTests {

  static final String KEY = "cluster-node-admin-key";
  static final ShardFunction SHARDS = new ShardFunction(2);
  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir static Path dir;

  @Autowired MockMvc mvc;

  static ClusterTestPostgres.Database db;

  /** A 16-bit artifact a light node may activate, and a directory that is no artifact. */
  @BeforeAll
  static void models() throws Exception {
    TestModels.writeWithoutNetwork(dir.resolve("models"), "m2", 16);
    Files.writeString(
        Files.createDirectories(dir.resolve("models/broken")).resolve("manifest.json"), "{}");
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    db = ClusterTestPostgres.newDatabase();
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.engine.device", () -> "cpu");
    registry.add("pipit.jobs.admin-token", () -> KEY);
    registry.add("pipit.cluster.mode", () -> "node");
    registry.add("pipit.cluster.shards", () -> "2");
    registry.add("pipit.cluster.shard", () -> "1");
    registry.add("pipit.cluster.code-bits", () -> "16");
    registry.add("pipit.cluster.read-wait", () -> "300ms");
    registry.add("pipit.cluster.postgres.url", db::url);
    registry.add("pipit.cluster.postgres.username", db::username);
    registry.add("pipit.cluster.postgres.password", db::password);
  }

  static List<String> ids(int shard, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; ids.size() < n; i++) {
      if (SHARDS.shardOf("http-" + i) == shard) {
        ids.add("http-" + i);
      }
    }
    return ids;
  }

  @Test
  void writesCarryTheirSequenceAndSearchesWaitForIt() throws Exception {
    mvc.perform(get("/readyz"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.components.replication.status").value("UP"))
        .andExpect(jsonPath("$.components.replication.details.lagRecords").value(0));
    List<String> own = ids(1, 2);
    JsonNode written =
        json(
            mvc.perform(
                    post("/v1/index")
                        .header("Authorization", "Bearer " + KEY)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(
                            "{\"items\":[{\"id\":\""
                                + own.get(0)
                                + "\",\"code\":\"00ff\"},{\"id\":\""
                                + own.get(1)
                                + "\",\"code\":\"0f0f\",\"label\":\"x\"}]}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.indexed").value(2))
                .andReturn()
                .getResponse()
                .getContentAsString());
    long sequence = written.get("sequence").asLong();
    assertThat(sequence).isPositive();

    mvc.perform(
            post("/v1/search?minSequence=" + sequence)
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\":\"00ff\",\"k\":5}"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.results[0].id").value(own.get(0)))
        .andExpect(jsonPath("$.results.length()").value(2));
    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\":\"00ff\",\"k\":5,\"minSequence\":" + (sequence + 1000) + "}"))
        .andExpect(status().isGatewayTimeout())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.type").value(containsString("replication-behind")));

    mvc.perform(
            post("/v1/index")
                .header("Authorization", "Bearer " + KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .content(
                    "{\"items\":[{\"id\":\"" + ids(0, 1).getFirst() + "\",\"code\":\"0001\"}]}"))
        .andExpect(status().isConflict())
        .andExpect(jsonPath("$.type").value(containsString("wrong-shard")))
        .andExpect(jsonPath("$.shard").value(0));

    JsonNode deleted =
        json(
            mvc.perform(delete("/v1/index/" + own.get(1)).header("Authorization", "Bearer " + KEY))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
    assertThat(deleted.get("sequence").asLong()).isGreaterThan(sequence);
    mvc.perform(delete("/v1/index/" + own.get(1)).header("Authorization", "Bearer " + KEY))
        .andExpect(status().isNotFound());
    mvc.perform(get("/v1/index/" + own.get(1))).andExpect(status().isNotFound());
  }

  @Test
  void withPostgresGoneWritesAre503AndSearchesStillAnswer() throws Exception {
    String id = ids(1, 10).get(9);
    ClusterTestPostgres.interrupt();
    try {
      mvc.perform(
              post("/v1/index")
                  .header("Authorization", "Bearer " + KEY)
                  .contentType(MediaType.APPLICATION_JSON)
                  .content("{\"items\":[{\"id\":\"" + id + "\",\"code\":\"ffff\"}]}"))
          .andExpect(status().isServiceUnavailable())
          .andExpect(header().exists("Retry-After"))
          .andExpect(jsonPath("$.type").value(containsString("store-unavailable")));
      mvc.perform(post("/v1/models/m2/activate").header("Authorization", "Bearer " + KEY))
          .andExpect(status().isServiceUnavailable())
          .andExpect(header().exists("Retry-After"))
          .andExpect(jsonPath("$.type").value(containsString("store-unavailable")));
      mvc.perform(
              post("/v1/search")
                  .contentType(MediaType.APPLICATION_JSON)
                  .content("{\"code\":\"ffff\",\"k\":5}"))
          .andExpect(status().isOk());
    } finally {
      ClusterTestPostgres.resume();
    }
    JsonNode written =
        json(
            mvc.perform(
                    post("/v1/index")
                        .header("Authorization", "Bearer " + KEY)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"items\":[{\"id\":\"" + id + "\",\"code\":\"ffff\"}]}"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content(
                    "{\"code\":\"ffff\",\"k\":1,\"minSequence\":"
                        + written.get("sequence").asLong()
                        + "}"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.results[0].id").value(id));
  }

  /**
   * A model switch through the database: the new model's codes are written first (kept aside), an
   * activation row makes the node serve them from its sequence on, and no answer mixes the two.
   * Runs last: it changes what the node serves.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void anActivationInTheLogSwitchesTheNodeAtItsSequence() throws Exception {
    ClusterStore store = new ClusterStore(db.dataSource(), SHARDS);
    List<String> own = ids(1, 30).subList(20, 23);
    mvc.perform(
            post("/v1/index")
                .header("Authorization", "Bearer " + KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"items\":[{\"id\":\"" + own.get(0) + "\",\"code\":\"a5a5\"}]}"))
        .andExpect(status().isOk());
    long written =
        store.upsert(
            1,
            List.of(
                new ItemWrite(own.get(1), "m2", Code.fromHex(16, "a5a5"), "new", Map.of(), null),
                new ItemWrite(own.get(2), "m2", Code.fromHex(16, "a5a4"), "new", Map.of(), null)));
    // written but not active: the node still answers with its codes model only
    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\":\"a5a5\",\"k\":50,\"minSequence\":" + written + "}"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model.id").value("codes"))
        .andExpect(jsonPath("$.results[0].id").value(own.get(0)))
        .andExpect(jsonPath("$.results[?(@.label == 'new')]").isEmpty());
    // bad activations change nothing: no credential, an unknown or invalid artifact, the model
    // already serving
    mvc.perform(post("/v1/models/m2/activate")).andExpect(status().isUnauthorized());
    mvc.perform(post("/v1/models/nope/activate").header("Authorization", "Bearer " + KEY))
        .andExpect(status().isNotFound())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.type").value(containsString("unknown-model")));
    mvc.perform(post("/v1/models/broken/activate").header("Authorization", "Bearer " + KEY))
        .andExpect(status().isConflict())
        .andExpect(jsonPath("$.type").value(containsString("invalid-model")));
    // the codes model's items written by code have no m2 code and no original to re-encode:
    // refused, with their count, unless their loss is accepted
    mvc.perform(post("/v1/models/m2/activate").header("Authorization", "Bearer " + KEY))
        .andExpect(status().isConflict())
        .andExpect(jsonPath("$.type").value(containsString("switch-item-loss")))
        .andExpect(jsonPath("$.itemsWithoutOriginal").isNumber());
    assertThat(store.activeModel()).isEmpty();
    mvc.perform(get("/v1/models/activation")).andExpect(status().isNotFound());
    mvc.perform(post("/v1/models/activation/cancel").header("Authorization", "Bearer " + KEY))
        .andExpect(status().isConflict());
    JsonNode activation =
        json(
            mvc.perform(
                    post("/v1/models/m2/activate")
                        .param("acceptLoss", "true")
                        .header("Authorization", "Bearer " + KEY))
                // nothing to re-encode: done before the answer, applied on this node
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.state").value("SUCCEEDED"))
                .andExpect(jsonPath("$.total").value(0))
                .andExpect(jsonPath("$.model").value("m2"))
                .andReturn()
                .getResponse()
                .getContentAsString());
    long activated = activation.get("sequence").asLong();
    assertThat(activated).isGreaterThan(written);
    assertThat(activation.get("dropped").asLong())
        .isEqualTo(activation.get("withoutOriginal").asLong())
        .isPositive();
    assertThat(store.activeModel()).contains("m2");
    mvc.perform(get("/v1/models/activation"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.id").value(activation.get("id").asString()))
        .andExpect(jsonPath("$.sequence").value(activated));
    assertThat(store.reencoding("codes", "m2").withoutOriginal()).as("dropped: deleted").isZero();
    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\":\"a5a5\",\"k\":50,\"minSequence\":" + activated + "}"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model.id").value("m2"))
        .andExpect(jsonPath("$.results.length()").value(2))
        .andExpect(jsonPath("$.results[0].id").value(own.get(1)))
        .andExpect(jsonPath("$.results[1].id").value(own.get(2)));
    mvc.perform(get("/readyz"))
        .andExpect(jsonPath("$.components.replication.details.model").value("m2"));
    mvc.perform(post("/v1/models/m2/activate").header("Authorization", "Bearer " + KEY))
        .andExpect(status().isConflict())
        .andExpect(jsonPath("$.type").value(containsString("switch-conflict")));
  }

  private static JsonNode json(String body) {
    return JSON.readTree(body);
  }
}
