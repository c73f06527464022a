package dev.pipit.cluster.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.pipit.cluster.ShardFunction;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The router against fake replicas (local HTTP servers): retry on another replica when one is down,
 * answers slowly or fails with 5xx; {@code partial} only when every replica of a shard failed; a
 * node's problem passed on unchanged; writes to their id's shard; credentials and query passed on.
 */
class ClusterRouterTests {

  static final JsonMapper JSON = JsonMapper.builder().build();

  final List<HttpServer> servers = new ArrayList<>();
  final List<String> seen = new CopyOnWriteArrayList<>();
  final AtomicInteger retries = new AtomicInteger();
  final List<Integer> missing = new CopyOnWriteArrayList<>();
  final List<Boolean> partials = new CopyOnWriteArrayList<>();

  final RouterListener listener =
      new RouterListener() {
        @Override
        public void fannedOut(long nanos, boolean partial) {
          partials.add(partial);
        }

        @Override
        public void retried() {
          retries.incrementAndGet();
        }

        @Override
        public void shardMissing(int shard) {
          missing.add(shard);
        }
      };

  @AfterEach
  void stop() {
    servers.forEach(s -> s.stop(0));
  }

  /**
   * A replica answering every request with {@code status} and {@code body}, after {@code delay}.
   */
  String replica(String name, int status, String body, long delayMillis) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] request = exchange.getRequestBody().readAllBytes();
          seen.add(
              name
                  + " "
                  + exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI()
                  + " auth="
                  + exchange.getRequestHeaders().getFirst("Authorization")
                  + " "
                  + new String(request, StandardCharsets.UTF_8));
          try {
            Thread.sleep(delayMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange
              .getResponseHeaders()
              .add("Content-Type", status < 300 ? "application/json" : "application/problem+json");
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
    servers.add(server);
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static String down() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort(); // closed: connection refused
    }
  }

  static String results(String... hits) {
    return """
    {"model":{"id":"m","bits":8,"fingerprint":"f1"},"results":[%s],"timings":{},\
    "ordering":"hamming"}\
    """
        .formatted(String.join(",", hits));
  }

  static String hit(String id, int distance) {
    return "{\"id\":\"%s\",\"distance\":%d}".formatted(id, distance);
  }

  ClusterRouter router(Duration timeout, String... shardUrls) {
    NodeCalls calls = new NodeCalls(ShardReplicas.parse(List.of(shardUrls)), timeout, 8, listener);
    return new ClusterRouter(calls, "node-key", listener);
  }

  static JsonNode json(NodeAnswer answer) {
    return JSON.readTree(answer.body());
  }

  static List<String> ids(JsonNode response) {
    List<String> ids = new ArrayList<>();
    response.get("results").forEach(h -> ids.add(h.get("id").asString()));
    return ids;
  }

  static final byte[] QUERY = "{\"code\":\"ff\",\"k\":3}".getBytes(StandardCharsets.UTF_8);
  static final ClusterRouter.Caller CALLER =
      new ClusterRouter.Caller("minSequence=7", "Bearer reader");

  @Test
  void mergesOneReplicaPerShardAndPassesQueryAndCredentialOn() throws IOException {
    String a0 = replica("a0", 200, results(hit("a", 0), hit("c", 2), hit("e", 5)), 0);
    String a1 = replica("a1", 200, results(hit("a", 0), hit("c", 2), hit("e", 5)), 0);
    String b0 = replica("b0", 200, results(hit("b", 1), hit("d", 2)), 0);
    ClusterRouter router = router(Duration.ofSeconds(2), a0 + "," + a1, b0);
    for (int i = 0; i < 4; i++) {
      NodeAnswer answer = router.searchByCode(QUERY, CALLER);
      assertThat(answer.status()).isEqualTo(200);
      JsonNode response = json(answer);
      assertThat(ids(response)).containsExactly("a", "b", "c");
      assertThat(response.has("partial")).isFalse();
      assertThat(response.get("model").get("fingerprint").asString()).isEqualTo("f1");
    }
    // round robin: shard 0's two replicas took two searches each; nothing was retried
    assertThat(seen.stream().filter(s -> s.startsWith("a0 "))).hasSize(2);
    assertThat(seen.stream().filter(s -> s.startsWith("a1 "))).hasSize(2);
    assertThat(seen).allMatch(s -> s.contains("POST /v1/search?minSequence=7 auth=Bearer reader"));
    assertThat(retries).hasValue(0);
    assertThat(partials).containsOnly(false);
  }

  @Test
  void aDeadSlowOrFailingReplicaIsRetriedOnAnother() throws IOException {
    String good = replica("good", 200, results(hit("a", 0)), 0);
    String failing = replica("failing", 503, "{\"status\":503}", 0);
    String slow = replica("slow", 200, results(hit("x", 0)), 3_000);
    String other = replica("other", 200, results(hit("b", 1)), 0);
    for (String bad : List.of(down(), failing, slow)) {
      ClusterRouter router = router(Duration.ofMillis(500), bad + "," + good, other);
      for (int i = 0; i < 2; i++) { // each replica goes first once
        JsonNode response = json(router.searchByCode(QUERY, CALLER));
        assertThat(ids(response)).as(bad).containsExactly("a", "b");
        assertThat(response.has("partial")).isFalse();
      }
    }
    assertThat(retries.get()).isEqualTo(3);
    assertThat(missing).isEmpty();
  }

  @Test
  void partialOnlyWhenEveryReplicaOfAShardFailed() throws IOException {
    String shard0 = replica("s0", 200, results(hit("a", 0), hit("c", 1)), 0);
    String failing = replica("failing", 500, "{\"status\":500}", 0);
    ClusterRouter router = router(Duration.ofSeconds(1), shard0, down() + "," + failing);
    NodeAnswer answer = router.searchByCode(QUERY, CALLER);
    assertThat(answer.status()).isEqualTo(200);
    JsonNode response = json(answer);
    assertThat(ids(response)).containsExactly("a", "c");
    assertThat(response.get("partial").asBoolean()).isTrue();
    assertThat(response.get("missingShards").get(0).asInt()).isEqualTo(1);
    assertThat(response.get("missingShards")).hasSize(1);
    assertThat(missing).containsExactly(1);
    assertThat(partials).containsExactly(true);

    ClusterRouter allDown = router(Duration.ofSeconds(1), down(), down());
    NodeAnswer none = allDown.searchByCode(QUERY, CALLER);
    assertThat(none.status()).isEqualTo(503);
    assertThat(none.contentType()).isEqualTo("application/problem+json");
  }

  @Test
  void aNodesClientErrorComesBackUnchanged() throws IOException {
    String problem =
        "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"bad"
            + " code\"}";
    String shard0 = replica("s0", 400, problem, 0);
    String shard1 = replica("s1", 200, results(hit("a", 0)), 0);
    NodeAnswer answer = router(Duration.ofSeconds(1), shard0, shard1).searchByCode(QUERY, CALLER);
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.contentType()).isEqualTo("application/problem+json");
    assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo(problem);
    assertThat(retries).hasValue(0); // the request's fault: no other replica would say otherwise
  }

  @Test
  void writesGoToTheirIdsShardAndItsSequenceComesBack() throws IOException {
    String s0 = replica("s0", 200, "{\"added\":1,\"sequence\":11}", 0);
    String s1 = replica("s1", 200, "{\"added\":1,\"sequence\":12}", 0);
    ClusterRouter router = router(Duration.ofSeconds(1), s0, s1);
    ShardFunction shardOf = new ShardFunction(2);
    for (String id : List.of("sku-1", "sku-2", "sku-3", "sku-4")) {
      String body = "{\"items\":[{\"id\":\"" + id + "\",\"code\":\"ff\"}]}";
      NodeAnswer answer = router.indexCodes(body.getBytes(StandardCharsets.UTF_8), CALLER);
      assertThat(answer.status()).isEqualTo(200);
      int shard = shardOf.shardOf(id);
      assertThat(json(answer).get("sequence").asLong()).isEqualTo(11 + shard);
      assertThat(seen.getLast()).startsWith("s" + shard + " POST /v1/index").contains(id);
      router.delete(id, CALLER);
      assertThat(seen.getLast()).startsWith("s" + shard + " DELETE /v1/index/" + id);
    }
    // items of two shards in one request: refused, nothing sent
    int before = seen.size();
    String both =
        "{\"items\":[{\"id\":\"sku-1\",\"code\":\"ff\"},{\"id\":\"sku-2\",\"code\":\"ff\"}]}";
    if (shardOf.shardOf("sku-1") != shardOf.shardOf("sku-2")) {
      assertThat(router.indexCodes(both.getBytes(StandardCharsets.UTF_8), CALLER).status())
          .isEqualTo(400);
      assertThat(seen).hasSize(before);
    }
  }

  @Test
  void aWriteWhoseShardIsDownIs503WithRetryAfter() throws IOException {
    ClusterRouter router = router(Duration.ofSeconds(1), down(), down());
    NodeAnswer answer = router.delete("sku-1", CALLER);
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.retryAfter()).isEqualTo("1");
  }

  @Test
  void anActivationGoesToOneNodeWithTheCallersCredentialAndItsAnswerComesBack() throws IOException {
    String s0 = replica("s0", 200, "{\"model\":\"m2\",\"sequence\":42}", 0);
    String s1 = replica("s1", 200, "{\"model\":\"m2\",\"sequence\":42}", 0);
    ClusterRouter router = router(Duration.ofSeconds(1), s0, s1);
    NodeAnswer answer =
        router.activate("m2", new ClusterRouter.Caller("acceptLoss=true", "Bearer admin"));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(json(answer).get("sequence").asLong()).isEqualTo(42);
    assertThat(seen).hasSize(1); // one activation for the whole cluster
    assertThat(seen.getFirst())
        .matches("s[01] POST /v1/models/m2/activate\\?acceptLoss=true auth=Bearer admin .*");
    // a node's refusal (say an unknown model) comes back as it is
    String problem = "{\"status\":404,\"type\":\"https://pipit.dev/problems/unknown-model\"}";
    NodeAnswer unknown =
        router(Duration.ofSeconds(1), replica("n", 404, problem, 0)).activate("nope", CALLER);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(new String(unknown.body(), StandardCharsets.UTF_8)).isEqualTo(problem);
    // no node up: 503 with Retry-After
    NodeAnswer down = router(Duration.ofSeconds(1), down(), down()).activate("m2", CALLER);
    assertThat(down.status()).isEqualTo(503);
    assertThat(down.retryAfter()).isEqualTo("1");
  }

  @Test
  void theActivationJobIsReadAndCancelledOnWhicheverNodeRunsIt() throws IOException {
    String none = "{\"status\":404,\"type\":\"https://pipit.dev/problems/unknown-model\"}";
    String older = "{\"id\":\"j1\",\"state\":\"SUCCEEDED\",\"startedAt\":\"2026-12-06T05:00:00Z\"}";
    String newer = "{\"id\":\"j2\",\"state\":\"FAILED\",\"startedAt\":\"2026-12-06T05:00:00.5Z\"}";
    String running = "{\"id\":\"j3\",\"state\":\"RUNNING\",\"startedAt\":\"2026-12-06T04:00:00Z\"}";
    String a = replica("a", 404, none, 0);
    String b = replica("b", 200, older, 0);
    String c = replica("c", 200, newer, 0);
    String d = replica("d", 200, running, 0);
    assertThat(
            json(router(Duration.ofSeconds(1), a + "," + b, c + "," + d).activation(CALLER))
                .get("id")
                .asString())
        .as("the running job")
        .isEqualTo("j3");
    assertThat(
            json(router(Duration.ofSeconds(1), a + "," + b, c).activation(CALLER))
                .get("id")
                .asString())
        .as("else the one started last")
        .isEqualTo("j2");
    assertThat(seen).anyMatch(line -> line.startsWith("a GET /v1/models/activation auth=Bearer"));
    NodeAnswer nowhere = router(Duration.ofSeconds(1), a, down()).activation(CALLER);
    assertThat(nowhere.status()).isEqualTo(404);
    assertThat(router(Duration.ofSeconds(1), down()).activation(CALLER).status()).isEqualTo(503);

    String conflict = "{\"status\":409,\"type\":\"https://pipit.dev/problems/switch-conflict\"}";
    String idle = replica("idle", 409, conflict, 0);
    String busy = replica("busy", 202, running, 0);
    seen.clear();
    NodeAnswer cancelled = router(Duration.ofSeconds(1), idle, busy).cancelActivation(CALLER);
    assertThat(cancelled.status()).isEqualTo(202);
    assertThat(seen)
        .anyMatch(line -> line.startsWith("busy POST /v1/models/activation/cancel auth=Bearer"));
    assertThat(router(Duration.ofSeconds(1), idle, down()).cancelActivation(CALLER).status())
        .isEqualTo(409);
  }

  @Test
  void anImageIsEncodedOnceThenSearchedByValuesOnEveryShard() throws IOException {
    String encode =
        "{\"model\":{\"id\":\"m\",\"bits\":2,\"fingerprint\":\"f1\"},\"code\":\"01\","
            + "\"values\":[0.5,-0.25]}";
    String node = replica("node", 200, encode, 0);
    // the same fake answers /v1/encode and /v1/search: enough to see what the router sent
    ClusterRouter router = router(Duration.ofSeconds(1), node);
    router.searchByImage(
        new ClusterRouter.FilePart("image", "q.jpg", "image/jpeg", new byte[] {1, 2, 3}),
        Map.of("k", "5", "rescore", "true"),
        CALLER);
    assertThat(seen.get(0)).startsWith("node POST /v1/encode auth=Bearer node-key");
    assertThat(seen.get(1))
        .startsWith("node POST /v1/search?minSequence=7 auth=Bearer reader")
        .contains("\"code\":\"01\"", "\"values\":[0.5,-0.25]", "\"k\":5", "\"rescore\":true");
  }

  @Test
  void shardUrlsAreParsedPerShard() {
    ShardReplicas replicas = ShardReplicas.parse(List.of("http://a:1, http://b:2/", "http://c:3"));
    assertThat(replicas.shards()).isEqualTo(2);
    assertThat(replicas.replicas(0))
        .containsExactly(URI.create("http://a:1/"), URI.create("http://b:2/"));
  }
}
