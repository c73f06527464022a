package dev.pipit.bench;

import dev.pipit.Multipart;
import dev.pipit.ServiceProcess;
import dev.pipit.TestModels;
import dev.pipit.model.Architecture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service end to end over loopback ({@code make bench-http}, issue 18 part 4): starts the
 * packaged jar (a 64-bit ADSH model on the real ImageNet backbone, a gallery of {@code n} random
 * codes ingested through JSON), then drives it with {@link ClosedLoop} clients and prints one line
 * per case:
 *
 * <pre>
 * http-bench endpoint=search-code n=1000000 bits=64 k=10 clients=16 p50_ms=… p95_ms=… p99_ms=… rps=… errors=0
 * http-bench endpoint=search-image … clients=1 …
 * http-bench endpoint=ingest fsync=grouped batch=1 clients=16 codes_s=… p50_ms=… p99_ms=… rps=…
 * http-bench endpoint=ingest fsync=every batch=1 clients=16 …
 * </pre>
 *
 * The {@code fsync=every} cases restart the service with {@code group-commit-millis=0} on a fresh
 * data directory. Arguments ({@code key=value}): {@code n} (1000000), {@code seconds} per case (5),
 * {@code warmup} seconds (2), {@code clients} (1,16,64), {@code batches} of the ingest cases
 * (1,100), {@code parts} (search-code,search-image,ingest,fsync), {@code jar} (target/pipit.jar),
 * or {@code url} and {@code key} (a write key) to target a running service with 64-bit codes (no
 * preload, no fsync cases: those need their own process).
 */
public final class HttpBench {

  private static final int BITS = 64;
  private static final int K = 10;
  private static final String WRITE_KEY = "http-bench-write-key";

  private final Map<String, String> args;
  private final Duration warmup;
  private final Duration measure;
  private final int[] clients;
  private final int[] batches;
  private final List<String> parts;
  private final AtomicLong ids = new AtomicLong();

  private HttpBench(Map<String, String> args) {
    this.args = args;
    this.warmup = Duration.ofSeconds(Long.parseLong(args.getOrDefault("warmup", "2")));
    this.measure = Duration.ofSeconds(Long.parseLong(args.getOrDefault("seconds", "5")));
    this.clients = ints(args.getOrDefault("clients", "1,16,64"));
    this.batches = ints(args.getOrDefault("batches", "1,100"));
    this.parts =
        List.of(args.getOrDefault("parts", "search-code,search-image,ingest,fsync").split(","));
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new LinkedHashMap<>();
    for (String a : argv) {
      int eq = a.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("arguments are key=value, got " + a);
      }
      args.put(a.substring(0, eq), a.substring(eq + 1));
    }
    System.out.println("http-bench " + Machine.describe());
    new HttpBench(args).run();
    System.out.println("http-bench done load=" + Machine.load().replace(' ', '/'));
  }

  private void run() throws Exception {
    if (args.containsKey("url")) {
      Target running = new Target(URI.create(args.get("url")), args.getOrDefault("key", ""));
      measureAll(running, "grouped", 0);
      return;
    }
    String jar = args.getOrDefault("jar", "target/pipit.jar");
    System.setProperty("pipit.jar", jar);
    Path work = Files.createTempDirectory("pipit-http-bench");
    Path model =
        TestModels.writeImageNet(
            work.resolve("models"), "bench-adsh-64", Architecture.ADSH_R50, BITS, 64);
    int n = Integer.parseInt(args.getOrDefault("n", "1000000"));
    try (ServiceProcess service =
        ServiceProcess.start(work, List.of(), serviceArgs(work, model, "grouped"))) {
      service.awaitReady(Duration.ofMinutes(3));
      Target target = new Target(service.uri(""), WRITE_KEY);
      System.out.println("http-bench service " + target.batchKernel());
      measureAll(target, "grouped", n);
    }
    if (parts.contains("fsync")) {
      try (ServiceProcess service =
          ServiceProcess.start(work, List.of(), serviceArgs(work, model, "every"))) {
        service.awaitReady(Duration.ofMinutes(3));
        ingest(new Target(service.uri(""), WRITE_KEY), "every");
      }
    }
  }

  private static List<String> serviceArgs(Path work, Path model, String fsync) throws Exception {
    String hash =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(WRITE_KEY.getBytes(StandardCharsets.UTF_8)));
    return List.of(
        "--pipit.serving.model=" + model,
        "--pipit.storage.data-dir=" + work.resolve("data-" + fsync),
        "--pipit.storage.models-dir=" + work.resolve("models"),
        "--pipit.engine.device=cpu",
        "--pipit.security.keys[0].name=http-bench",
        "--pipit.security.keys[0].hash={sha256}" + hash,
        "--pipit.security.keys[0].roles=write",
        "--pipit.serving.group-commit-millis=" + (fsync.equals("every") ? 0 : 5),
        "--logging.level.root=WARN");
  }

  private void measureAll(Target target, String fsync, int n) throws Exception {
    if (n > 0) {
      preload(target, n);
    }
    if (parts.contains("search-code")) {
      for (int c : clients) {
        ClosedLoop.Result r =
            ClosedLoop.run(
                c,
                warmup,
                measure,
                client -> {
                  SplittableRandom rnd = new SplittableRandom(client);
                  return () ->
                      target.post(
                          "/v1/search",
                          "{\"code\":\"" + hex(rnd.nextLong()) + "\",\"k\":" + K + "}");
                });
        print("endpoint=search-code n=" + n + " bits=" + BITS + " k=" + K, c, r, "");
      }
    }
    if (parts.contains("search-image")) {
      List<Multipart> photos = new ArrayList<>();
      try (var files = Files.list(Path.of("models/cache/samples"))) {
        for (Path p : files.filter(f -> f.toString().endsWith(".jpg")).sorted().toList()) {
          photos.add(
              new Multipart()
                  .file("image", p.getFileName().toString(), "image/jpeg", Files.readAllBytes(p)));
        }
      }
      for (int c : clients) {
        ClosedLoop.Result r =
            ClosedLoop.run(
                c,
                warmup,
                measure,
                client -> {
                  int[] i = {client};
                  return () -> target.post("/v1/search", photos.get(i[0]++ % photos.size()));
                });
        print("endpoint=search-image n=" + n + " bits=" + BITS + " k=" + K, c, r, "");
      }
    }
    if (parts.contains("ingest")) {
      ingest(target, fsync);
    }
  }

  private void ingest(Target target, String fsync) throws InterruptedException {
    for (int batch : batches) {
      for (int c : clients) {
        ClosedLoop.Result r =
            ClosedLoop.run(
                c,
                warmup,
                measure,
                client -> {
                  SplittableRandom rnd = new SplittableRandom(1000L + client);
                  return () -> target.post("/v1/index", items(batch, rnd));
                });
        String codes = String.format(Locale.ROOT, " codes_s=%.0f", r.rps() * batch);
        print("endpoint=ingest fsync=" + fsync + " batch=" + batch, c, r, codes);
      }
    }
  }

  /** Fills the gallery through the JSON ingest path, 256 codes a request, 4 clients. */
  private void preload(Target target, int n) throws Exception {
    long start = System.nanoTime();
    AtomicLong next = new AtomicLong();
    List<Thread> loaders = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      SplittableRandom rnd = new SplittableRandom(500L + t);
      loaders.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (HttpClient http = HttpClient.newHttpClient()) {
                      while (next.getAndAdd(256) < n) {
                        HttpResponse<String> response =
                            http.send(
                                target.post("/v1/index", items(256, rnd)),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200) {
                          throw new IllegalStateException("preload: " + response.body());
                        }
                      }
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    for (Thread t : loaders) {
      t.join();
    }
    double s = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "http-bench preload n=%d batch=256 clients=4 codes_s=%.0f seconds=%.1f%n",
        n,
        n / s,
        s);
  }

  private String items(int batch, SplittableRandom rnd) {
    StringBuilder json = new StringBuilder(batch * 60).append("{\"items\":[");
    for (int i = 0; i < batch; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"id\":\"b")
          .append(ids.incrementAndGet())
          .append("\",\"code\":\"")
          .append(hex(rnd.nextLong()))
          .append("\",\"label\":\"bench\"}");
    }
    return json.append("]}").toString();
  }

  private static void print(String what, int clients, ClosedLoop.Result r, String extra) {
    System.out.printf(
        Locale.ROOT,
        "http-bench %s clients=%d%s p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f rps=%.0f errors=%d%s%n",
        what,
        clients,
        extra,
        r.ms(50),
        r.ms(95),
        r.ms(99),
        r.rps(),
        r.errors(),
        r.firstError().isEmpty()
            ? ""
            : " first_error=\"" + r.firstError().replace('\n', ' ') + "\"");
  }

  private static String hex(long code) {
    return HexFormat.of().toHexDigits(code);
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  /** A service to send requests to, with the write key. */
  private record Target(URI base, String key) {

    HttpRequest post(String path, String json) {
      return request(path)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json))
          .build();
    }

    HttpRequest post(String path, Multipart form) {
      return request(path)
          .header("Content-Type", form.contentType())
          .POST(form.publisher())
          .build();
    }

    private HttpRequest.Builder request(String path) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
      return key.isEmpty() ? b : b.header("Authorization", "Bearer " + key);
    }

    /** The index's batch kernel and why, from {@code GET /v1/index}. */
    String batchKernel() throws Exception {
      try (HttpClient http = HttpClient.newHttpClient()) {
        String body =
            http.send(request("/v1/index").GET().build(), HttpResponse.BodyHandlers.ofString())
                .body();
        return "batch_kernel="
            + field(body, "batchKernel")
            + " reason="
            + field(body, "batchKernelReason")
            + " kernel="
            + field(body, "kernel");
      }
    }

    private static String field(String json, String name) {
      int at = json.indexOf("\"" + name + "\":\"");
      if (at < 0) {
        return "?";
      }
      int from = at + name.length() + 4;
      return json.substring(from, json.indexOf('"', from));
    }
  }
}
