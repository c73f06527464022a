package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.cluster.ShardFunction;
import dev.pipit.model.Architecture;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The packaged jar as a cluster: 2 shards × 2 standalone nodes (each given its shard's items
 * directly, by {@link ShardFunction}, so no PostgreSQL is needed) and a router process. Its answers
 * equal a single node holding everything, for codes (random and clustered) and an image; a killed
 * replica is retried around; with both replicas of a shard gone the answer is {@code partial}. It
 * also prints searches/s through a router with 1 and with 2 replicas per shard.
 */
class ClusterRouterIT {

  static final int BITS = 32;
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String AUTH = "Bearer " + GalleryClient.ADMIN_TOKEN;

  @TempDir Path dir;

  ServiceProcess node(String name, Path model) throws Exception {
    Path work = Files.createDirectories(dir.resolve(name));
    return ServiceProcess.start(
        work,
        List.of("-Xmx640m"),
        List.of(
            "--pipit.serving.model=" + model,
            "--pipit.storage.data-dir=" + work.resolve("data"),
            "--pipit.engine.device=cpu",
            "--pipit.serving.group-commit-millis=1",
            GalleryClient.adminTokenArg()));
  }

  ServiceProcess router(String name, String shard0, String shard1) throws Exception {
    Path work = Files.createDirectories(dir.resolve(name));
    return ServiceProcess.start(
        work,
        List.of("-Xmx256m"),
        List.of(
            "--pipit.cluster.mode=router",
            "--pipit.cluster.router.shard-urls[0]=" + shard0,
            "--pipit.cluster.router.shard-urls[1]=" + shard1,
            "--pipit.cluster.router.timeout=2s",
            "--pipit.cluster.router.node-api-key=" + GalleryClient.ADMIN_TOKEN));
  }

  static String base(ServiceProcess node) {
    String uri = node.uri("/").toString();
    return uri.substring(0, uri.length() - 1);
  }

  @Test
  void theRouterAnswersAsOneNodeAndSurvivesReplicas() throws Exception {
    Path model = TestModels.writeRandom(dir, "adsh-it-32", Architecture.ADSH_R50, BITS, 32);
    List<ServiceProcess> nodes = new ArrayList<>();
    try {
      for (String name : List.of("single", "s0a", "s0b", "s1a", "s1b")) {
        nodes.add(node(name, model));
      }
      for (ServiceProcess node : nodes) {
        node.awaitReady(Duration.ofMinutes(5));
      }
      ServiceProcess single = nodes.get(0);
      List<List<ServiceProcess>> shards =
          List.of(List.of(nodes.get(1), nodes.get(2)), List.of(nodes.get(3), nodes.get(4)));

      // random codes, then codes clustered around a few centres (equal codes, many ties); in id
      // order, so that a node's insertion order is the id order the router breaks ties by
      Random random = new Random(15);
      List<String> codes = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        codes.add(randomCode(random));
      }
      List<String> centres = List.of(randomCode(random), randomCode(random), randomCode(random));
      for (int i = 0; i < 600; i++) {
        byte[] raw = HexFormat.of().parseHex(centres.get(random.nextInt(centres.size())));
        if (random.nextBoolean()) {
          raw[random.nextInt(raw.length)] ^= (byte) (1 << random.nextInt(8));
        }
        codes.add(HexFormat.of().formatHex(raw));
      }
      ShardFunction shardOf = new ShardFunction(2);
      List<List<String>> forShard = List.of(new ArrayList<>(), new ArrayList<>());
      List<String> all = new ArrayList<>();
      for (int i = 0; i < codes.size(); i++) {
        String id = "item-%05d".formatted(i);
        String item =
            "{\"id\":\"%s\",\"code\":\"%s\",\"label\":\"l%d\"}".formatted(id, codes.get(i), i % 3);
        all.add(item);
        forShard.get(shardOf.shardOf(id)).add(item);
      }
      index(single, all);
      for (int s = 0; s < 2; s++) {
        for (ServiceProcess replica : shards.get(s)) {
          index(replica, forShard.get(s));
        }
      }
      ServiceProcess router =
          router(
              "router",
              base(nodes.get(1)) + "," + base(nodes.get(2)),
              base(nodes.get(3)) + "," + base(nodes.get(4)));
      nodes.add(router);
      router.awaitReady(Duration.ofMinutes(2));

      List<String> queries = new ArrayList<>();
      for (int q = 0; q < 20; q++) {
        queries.add(randomCode(random)); // random queries
        queries.add(codes.get(600 + random.nextInt(600))); // queries among the clusters
      }
      for (String query : queries) {
        int k = 1 + random.nextInt(50);
        String body = "{\"code\":\"%s\",\"k\":%d}".formatted(query, k);
        assertThat(hits(router, body)).as(body).isEqualTo(hits(single, body));
      }
      String labelled = "{\"code\":\"%s\",\"k\":7,\"label\":\"l1\"}".formatted(queries.get(1));
      assertThat(hits(router, labelled)).isEqualTo(hits(single, labelled));
      // an image: encoded once on a node, rescored on each shard, merged by distance and score
      byte[] png = png(random);
      for (int i = 0; i < 2; i++) {
        assertThat(imageHits(router, png)).isEqualTo(imageHits(single, png));
      }

      // searches/s through the router: 2 replicas per shard, then 1 (one router each)
      ServiceProcess oneReplica = router("router-1", base(nodes.get(1)), base(nodes.get(3)));
      nodes.add(oneReplica);
      oneReplica.awaitReady(Duration.ofMinutes(2));
      throughput(router, "2", queries);
      throughput(oneReplica, "1", queries);

      // a replica of shard 0 dies: every search still complete (retried on the other)
      shards.get(0).get(0).kill();
      for (String query : queries.subList(0, 10)) {
        String body = "{\"code\":\"%s\",\"k\":10}".formatted(query);
        JsonNode response = search(router, body);
        assertThat(response.has("partial")).isFalse();
        assertThat(ids(response)).isEqualTo(hits(single, body));
      }
      assertThat(router.get("/actuator/prometheus").body())
          .containsPattern("pipit_router_retries_total\\{[^}]*\\} [1-9]")
          .contains("pipit_router_fanout_seconds_count", "pipit_router_missing_shards_total");
      // both replicas of shard 0 gone: partial, shard 1's hits only, readiness DOWN
      shards.get(0).get(1).kill();
      String body = "{\"code\":\"%s\",\"k\":10}".formatted(queries.get(0));
      JsonNode response = search(router, body);
      assertThat(response.get("partial").asBoolean()).isTrue();
      assertThat(response.get("missingShards").toString()).isEqualTo("[0]");
      for (JsonNode hit : response.get("results")) {
        assertThat(shardOf.shardOf(hit.get("id").asString())).isEqualTo(1);
      }
      assertThat(router.get("/readyz").statusCode()).isEqualTo(503);
      // a write for shard 0 has nowhere to go: 503, not silently dropped
      String id0 = "new-0";
      while (shardOf.shardOf(id0) != 0) {
        id0 = id0 + "x";
      }
      HttpResponse<String> write =
          router.postJson(
              "/v1/index",
              "{\"items\":[{\"id\":\"%s\",\"code\":\"%s\"}]}".formatted(id0, queries.get(0)),
              "Authorization",
              AUTH);
      assertThat(write.statusCode()).isEqualTo(503);
    } finally {
      for (ServiceProcess node : nodes) {
        node.close();
      }
    }
  }

  static String randomCode(Random random) {
    byte[] raw = new byte[BITS / 8];
    random.nextBytes(raw);
    return HexFormat.of().formatHex(raw);
  }

  static void index(ServiceProcess node, List<String> items) throws Exception {
    for (int from = 0; from < items.size(); from += 200) {
      String body =
          "{\"items\":["
              + String.join(",", items.subList(from, Math.min(items.size(), from + 200)))
              + "]}";
      HttpResponse<String> response = node.postJson("/v1/index", body, "Authorization", AUTH);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }

  static JsonNode search(ServiceProcess node, String body) throws Exception {
    HttpResponse<String> response = node.postJson("/v1/search", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** Ids with their distances, in order. */
  static List<String> hits(ServiceProcess node, String body) throws Exception {
    return ids(search(node, body));
  }

  static List<String> ids(JsonNode response) {
    List<String> ids = new ArrayList<>();
    response.get("results").forEach(h -> ids.add(h.get("id").asString() + "@" + h.get("distance")));
    return ids;
  }

  static List<String> imageHits(ServiceProcess node, byte[] png) throws Exception {
    HttpResponse<String> response =
        node.post("/v1/search?k=25", new Multipart().file("image", "q.png", "image/png", png));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("ordering").asString()).isEqualTo("rescored");
    return ids(json);
  }

  static byte[] png(Random random) throws Exception {
    BufferedImage image = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 48; x++) {
        image.setRGB(x, y, random.nextInt(0xffffff));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** 8 clients for 10 s, each searching k=10 codes in turn; one line in the benchmark format. */
  static void throughput(ServiceProcess router, String replicas, List<String> queries)
      throws Exception {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < 8; c++) {
        int client = c;
        clients.submit(
            () -> {
              for (int i = client; System.nanoTime() < end; i++) {
                String body =
                    "{\"code\":\"%s\",\"k\":10}".formatted(queries.get(i % queries.size()));
                if (router.postJson("/v1/search", body).statusCode() == 200) {
                  done.incrementAndGet();
                }
              }
              return null;
            });
      }
    }
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    System.out.printf(
        "router-search shards=2 replicas=%s clients=8 seconds=10 searches_per_s=%.1f load=%.2f"
            + " cores=%d%n",
        replicas, done.get() / 10.0, load, Runtime.getRuntime().availableProcessors());
  }
}
