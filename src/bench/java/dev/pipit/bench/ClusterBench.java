package dev.pipit.bench;

import dev.pipit.ServiceProcess;
import dev.pipit.cluster.ClusterTestPostgres;
import dev.pipit.cluster.node.ClusterSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cluster mode on one machine ({@code make bench-cluster}, issue 15 part 6): a PostgreSQL ({@link
 * ClusterTestPostgres}: the local server, a container or PIPIT_TEST_POSTGRES_URL) preloaded with
 * {@code n} random 64-bit codes of one shard (bulk SQL, as if written earlier), then light node
 * processes of the packaged jar (no model: codes only) and routers. One line per case:
 *
 * <pre>
 * cluster-bench case=replica-ready n=… from=nothing ready_s=…   (process start to /readyz 200)
 * cluster-bench case=replica-ready n=… from=snapshot ready_s=…  (after a graceful stop's snapshot)
 * cluster-bench case=router replicas=1|2 clients=16 rps=… p50_ms=… p99_ms=…  (search by code, k=10)
 * cluster-bench case=lag ingest_rps=… lag_p50_ms=… lag_p99_ms=…  (a write on replica a until
 *                                                                 replica b answers minSequence)
 * </pre>
 *
 * Arguments ({@code key=value}): {@code n} (1000000), {@code clients} (16), {@code seconds} per
 * case (5), {@code warmup} (2), {@code writers} of the lag case (4), {@code xmx} of a node (1g),
 * {@code jar} (target/pipit.jar).
 */
public final class ClusterBench {

  private static final String KEY = "cluster-bench-admin-key";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Map<String, String> args;
  private final int n;
  private final Path dir;
  private ClusterTestPostgres.Database db;

  private ClusterBench(Map<String, String> args) throws Exception {
    this.args = args;
    this.n = Integer.parseInt(args.getOrDefault("n", "1000000"));
    this.dir = Files.createTempDirectory("cluster-bench");
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (String a : argv) {
      for (String part : a.split("\\s+")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          args.put(part.substring(0, eq), part.substring(eq + 1));
        }
      }
    }
    System.setProperty(
        "pipit.jar",
        Path.of(args.getOrDefault("jar", "target/pipit.jar")).toAbsolutePath().toString());
    System.out.println("cluster-bench " + Machine.describe());
    new ClusterBench(args).run();
    System.out.println("cluster-bench done load=" + Machine.load().replace(' ', '/'));
    System.exit(0);
  }

  private void run() throws Exception {
    db = ClusterTestPostgres.newDatabase();
    long t = System.nanoTime();
    preload();
    System.out.printf(
        "cluster-bench preload n=%d seconds=%.1f (bulk SQL into the change log and items)%n",
        n, (System.nanoTime() - t) / 1e9);
    List<ServiceProcess> processes = new ArrayList<>();
    try {
      t = System.nanoTime();
      ServiceProcess a = node("a");
      a.awaitReady(Duration.ofMinutes(20));
      ready("nothing", t);
      a.close(); // graceful: the node writes its snapshot
      t = System.nanoTime();
      a = node("a");
      processes.add(a);
      a.awaitReady(Duration.ofMinutes(20));
      ready("snapshot", t);
      ServiceProcess b = node("b");
      processes.add(b);
      b.awaitReady(Duration.ofMinutes(20));
      ServiceProcess one = router("r1", base(a));
      processes.add(one);
      ServiceProcess two = router("r2", base(a) + "," + base(b));
      processes.add(two);
      one.awaitReady(Duration.ofMinutes(2));
      two.awaitReady(Duration.ofMinutes(2));
      search(one, 1);
      search(two, 2);
      lag(a, b);
    } finally {
      for (ServiceProcess p : processes) {
        p.close();
      }
    }
  }

  private void ready(String from, long start) {
    System.out.printf(
        "cluster-bench case=replica-ready n=%d from=%s ready_s=%.1f load=%s%n",
        n, from, (System.nanoTime() - start) / 1e9, Machine.load().replace(' ', '/'));
  }

  /** n items of shard 0 of 1, as the store writes them: a change each, then the item row. */
  private void preload() throws Exception {
    ClusterSchema.migrate(db.dataSource());
    try (Connection c = db.connect();
        PreparedStatement p =
            c.prepareStatement(
                "WITH s AS (SELECT g, decode(substr(md5(g::text || 'pipit'), 1, 16), 'hex') AS code"
                    + "   FROM generate_series(?, ?) g),"
                    + " ch AS (INSERT INTO pipit_changes (op, id, shard, payload)"
                    + "   SELECT 'upsert', 'bench-' || g, 0, jsonb_build_object('model', 'codes',"
                    + "     'bits', 64, 'code', encode(code, 'base64'), 'label', NULL,"
                    + "     'metadata', '{}'::jsonb, 'original', NULL) FROM s ORDER BY g"
                    + "   RETURNING sequence, id, payload)"
                    + " INSERT INTO pipit_items (id, model_id, shard, code, bits, label, metadata,"
                    + "   original, sequence)"
                    + " SELECT id, 'codes', 0, decode(payload->>'code', 'base64'), 64, NULL,"
                    + "   '{}'::jsonb, NULL, sequence FROM ch")) {
      int chunk = 200_000;
      for (int from = 1; from <= n; from += chunk) {
        p.setInt(1, from);
        p.setInt(2, Math.min(n, from + chunk - 1));
        p.executeUpdate();
      }
    }
  }

  /**
   * A node's heap for {@code items}: about 300 B per item plus 1 GB. Sized when a replica snapshot
   * still copied the index on the heap (a 10 M run with 1 GB ran out of heap at 4.2 M items); kept
   * since, so runs before and after snapshots were mapped compare on the same heap.
   */
  static String nodeHeap(long items) {
    long gigabytes = 1 + (items * 300 + (1L << 30) - 1) / (1L << 30);
    return gigabytes + "g";
  }

  private ServiceProcess node(String name) throws Exception {
    Path work = Files.createDirectories(dir.resolve(name));
    return ServiceProcess.start(
        work,
        List.of("-Xmx" + args.getOrDefault("xmx", nodeHeap(n)), "-XX:+UseSerialGC"),
        List.of(
            "--pipit.cluster.mode=node",
            "--pipit.cluster.shards=1",
            "--pipit.cluster.shard=0",
            "--pipit.cluster.postgres.url=" + db.url(),
            "--pipit.cluster.postgres.username=" + db.username(),
            "--pipit.cluster.postgres.password=" + db.password(),
            "--pipit.storage.data-dir=" + work.resolve("data"),
            "--pipit.engine.device=cpu",
            "--pipit.jobs.admin-token=" + KEY));
  }

  private ServiceProcess router(String name, String urls) throws Exception {
    Path work = Files.createDirectories(dir.resolve(name));
    return ServiceProcess.start(
        work,
        List.of("-Xmx256m", "-XX:+UseSerialGC"),
        List.of(
            "--pipit.cluster.mode=router",
            "--pipit.cluster.router.shard-urls[0]=" + urls,
            "--pipit.cluster.router.node-api-key=" + KEY));
  }

  private static String base(ServiceProcess p) {
    String uri = p.uri("/").toString();
    return uri.substring(0, uri.length() - 1);
  }

  private void search(ServiceProcess router, int replicas) throws Exception {
    int clients = Integer.parseInt(args.getOrDefault("clients", "16"));
    URI uri = router.uri("/v1/search");
    ClosedLoop.Result result =
        ClosedLoop.run(
            clients,
            Duration.ofSeconds(Long.parseLong(args.getOrDefault("warmup", "2"))),
            Duration.ofSeconds(Long.parseLong(args.getOrDefault("seconds", "5"))),
            c ->
                () ->
                    HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                "{\"code\":\"" + randomCode() + "\",\"k\":10}"))
                        .build());
    System.out.printf(
        "cluster-bench case=router replicas=%d n=%d clients=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f"
            + " errors=%d load=%s%n",
        replicas,
        n,
        clients,
        result.rps(),
        result.ms(50),
        result.ms(99),
        result.errors(),
        Machine.load().replace(' ', '/'));
  }

  /**
   * Writers post one item at a time to replica a; a prober takes the newest acknowledged write and
   * asks replica b for it with {@code minSequence}: the time from the acknowledgement to b's answer
   * is how long b lagged behind (one loopback round trip included).
   */
  private void lag(ServiceProcess a, ServiceProcess b) throws Exception {
    int writers = Integer.parseInt(args.getOrDefault("writers", "4"));
    Duration measure = Duration.ofSeconds(Long.parseLong(args.getOrDefault("seconds", "5")));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong acks = new AtomicLong();
    AtomicLong ids = new AtomicLong();
    AtomicReference<long[]> newest = new AtomicReference<>(new long[] {0, 0});
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (HttpClient http = HttpClient.newHttpClient()) {
                      while (running.get()) {
                        String body =
                            "{\"items\":[{\"id\":\"lag-%d\",\"code\":\"%s\"}]}"
                                .formatted(ids.incrementAndGet(), randomCode());
                        HttpResponse<String> r =
                            http.send(
                                HttpRequest.newBuilder(a.uri("/v1/index"))
                                    .header("Content-Type", "application/json")
                                    .header("Authorization", "Bearer " + KEY)
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                          long seq = JSON.readTree(r.body()).get("sequence").asLong();
                          long now = System.nanoTime();
                          acks.incrementAndGet();
                          newest.accumulateAndGet(
                              new long[] {seq, now}, (x, y) -> y[0] > x[0] ? y : x);
                        }
                      }
                    } catch (Exception e) {
                      System.out.println("cluster-bench lag writer failed: " + e);
                    }
                  }));
    }
    Histogram lag = new Histogram(60_000_000L, 3);
    long start = System.nanoTime();
    long acksAtStart = acks.get();
    try (HttpClient http = HttpClient.newHttpClient()) {
      long seen = 0;
      while (System.nanoTime() - start < measure.toNanos()) {
        long[] last = newest.get();
        if (last[0] <= seen) {
          Thread.sleep(1);
          continue;
        }
        seen = last[0];
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(b.uri("/v1/search"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"code\":\"%s\",\"k\":1,\"minSequence\":%d}"
                                .formatted(randomCode(), last[0])))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          lag.recordValue(Math.max(0, (System.nanoTime() - last[1]) / 1000));
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long written = acks.get() - acksAtStart;
    running.set(false);
    for (Thread thread : threads) {
      thread.join();
    }
    System.out.printf(
        "cluster-bench case=lag writers=%d ingest_rps=%.0f lag_p50_ms=%.2f lag_p99_ms=%.2f"
            + " probes=%d load=%s%n",
        writers,
        written / seconds,
        lag.getValueAtPercentile(50) / 1000.0,
        lag.getValueAtPercentile(99) / 1000.0,
        lag.getTotalCount(),
        Machine.load().replace(' ', '/'));
  }

  private static String randomCode() {
    byte[] raw = new byte[8];
    ThreadLocalRandom.current().nextBytes(raw);
    return HexFormat.of().formatHex(raw);
  }
}
