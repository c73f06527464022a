package dev.pipit.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.Multipart;
import dev.pipit.ServiceProcess;
import dev.pipit.TestModels;
import dev.pipit.TinyTrainingJob;
import dev.pipit.model.Architecture;
import dev.pipit.observability.Dashboards.Dashboard;
import dev.pipit.observability.Dashboards.Query;
import dev.pipit.observability.Dashboards.Variable;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The packaged service scraped every second by a real Prometheus (Debian's, on a free loopback
 * port) while real traffic runs: image, code, label and batch searches, indexing with snapshots,
 * 429s, auth failures, a delete, a tiny training job and a model switch. Then {@code promtool check
 * metrics} lints a live scrape, every alert rule evaluates without error, and every dashboard query
 * and template variable returns data through Prometheus's HTTP API, as Grafana would ask.
 */
class PrometheusIT {

  static final String ADMIN = "Bearer prometheus-it-admin";

  @TempDir Path dir;

  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyDashboardQueryAnswersWithDataFromALiveScrape() throws Exception {
    Path model =
        TestModels.writeImageNet(dir.resolve("models"), "random-64", Architecture.ADSH_R50, 64, 64);
    List<String> args =
        List.of(
            "--pipit.serving.model=" + model,
            "--pipit.storage.data-dir=" + dir.resolve("data"),
            "--pipit.storage.models-dir=" + dir.resolve("models"),
            "--pipit.engine.device=cpu",
            "--pipit.jobs.admin-token=prometheus-it-admin",
            TinyTrainingJob.allowedRootsArg(),
            TinyTrainingJob.backboneArg(),
            "--pipit.storage.snapshot-every-records=3",
            "--pipit.serving.queue-capacity=1",
            "--pipit.serving.max-batch=1",
            "--spring.servlet.multipart.max-file-size=3MB",
            "--spring.servlet.multipart.max-request-size=16MB");
    try (ServiceProcess service = ServiceProcess.start(dir, List.of(), args)) {
      service.awaitReady(Duration.ofMinutes(3));
      long start = System.currentTimeMillis() / 1000 - 5;
      Process prometheus = startPrometheus(service.uri("").getPort());
      try {
        int port = prometheusPort;
        awaitPrometheus(port, prometheus);
        driveTraffic(service);
        Thread.sleep(4_000); // a few more scrapes after the last request
        lintALiveScrape(service);
        everyRuleEvaluates(port);
        everyQueryHasData(port, start, service);
      } finally {
        prometheus.destroy();
        prometheus.waitFor();
      }
    }
  }

  int prometheusPort;

  Process startPrometheus(int servicePort) throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      prometheusPort = socket.getLocalPort();
    }
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
          - %s
        scrape_configs:
          - job_name: pipit
            metrics_path: /actuator/prometheus
            static_configs:
              - targets: ["127.0.0.1:%d"]
        """
            .formatted(
                Path.of("observability/prometheus/alerts.yml").toAbsolutePath(), servicePort));
    Tool check = Tool.run(dir, null, List.of("promtool", "check", "config", config.toString()));
    assertThat(check.exitCode()).as(check.describe()).isZero();
    try {
      return new ProcessBuilder(
              "prometheus",
              "--config.file=" + config,
              "--storage.tsdb.path=" + dir.resolve("tsdb"),
              "--web.listen-address=127.0.0.1:" + prometheusPort)
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("prometheus.log").toFile())
          .start();
    } catch (IOException notInstalled) {
      throw new AssertionError("prometheus " + Tool.INSTALL, notInstalled);
    }
  }

  void awaitPrometheus(int port, Process prometheus) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(prometheus.isAlive())
          .as(() -> "prometheus exited:\n" + log("prometheus.log"))
          .isTrue();
      try {
        if (get(URI.create("http://127.0.0.1:" + port + "/-/ready")).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(250);
    }
    throw new AssertionError("prometheus not ready:\n" + log("prometheus.log"));
  }

  String log(String name) {
    try {
      return Files.readString(dir.resolve(name));
    } catch (IOException e) {
      return e.toString();
    }
  }

  static byte[] photo(String name) throws Exception {
    return Files.readAllBytes(Path.of("models/cache/samples", name));
  }

  void driveTraffic(ServiceProcess service) throws Exception {
    Multipart form = new Multipart();
    List<String> names = List.of("eagle", "dog", "horses", "kite", "person");
    StringBuilder items = new StringBuilder("{\"items\": [");
    for (String name : names) {
      form.file("image", name + ".jpg", "image/jpeg", photo(name + ".jpg"));
      items.append(items.length() > 11 ? "," : "");
      items.append("{\"id\": \"%s\", \"label\": \"%s\"}".formatted(name, name));
    }
    form.json("items", items.append("]}").toString());
    HttpResponse<String> indexed = service.post("/v1/index", form, "Authorization", ADMIN);
    assertThat(indexed.statusCode()).as(indexed.body()).isEqualTo(200);
    HttpResponse<String> byCode =
        service.postJson(
            "/v1/index",
            "{\"items\": [{\"id\": \"by-code\", \"code\": \"00ff00ff00ff00ff\", \"label\":"
                + " \"x\"}]}",
            "Authorization",
            ADMIN);
    assertThat(byCode.statusCode()).as(byCode.body()).isEqualTo(200);

    for (String name : names) {
      HttpResponse<String> found =
          service.post(
              "/v1/search?k=3",
              new Multipart().file("image", name + ".jpg", "image/jpeg", photo(name + ".jpg")));
      assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
    }
    HttpResponse<String> code =
        service.postJson("/v1/search", "{\"code\": \"00ff00ff00ff00ff\", \"k\": 3}");
    assertThat(code.statusCode()).as(code.body()).isEqualTo(200);
    HttpResponse<String> labelled =
        service.postJson(
            "/v1/search", "{\"code\": \"0000000000000000\", \"k\": 2, \"label\": \"x\"}");
    assertThat(labelled.statusCode()).as(labelled.body()).isEqualTo(200);
    HttpResponse<String> batch =
        service.post(
            "/v1/search/batch",
            new Multipart()
                .file("image", "dog.jpg", "image/jpeg", photo("dog.jpg"))
                .file("image", "kite.jpg", "image/jpeg", photo("kite.jpg")));
    assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
    assertThat(service.delete("/v1/index/by-code", "Authorization", ADMIN).statusCode())
        .isEqualTo(204);

    // Auth failures: no credential (401), an unknown one (403).
    assertThat(service.postJson("/v1/index", "{\"items\": []}").statusCode()).isEqualTo(401);
    assertThat(
            service
                .postJson("/v1/index", "{\"items\": []}", "Authorization", "Bearer nope")
                .statusCode())
        .isEqualTo(403);

    fullQueueAnswers429(service);
    service.trainToCompletion(TinyTrainingJob.json("prom-job"), "Authorization", ADMIN);
    service.activate("prom-job", "Authorization", ADMIN);
  }

  void fullQueueAnswers429(ServiceProcess service) throws Exception {
    int tooMany = 0;
    for (HttpResponse<String> response :
        service.searchAtOnce("giraffe.jpg", photo("giraffe.jpg"), 24)) {
      tooMany += response.statusCode() == 429 ? 1 : 0;
    }
    assertThat(tooMany).as("429s from a queue of one").isPositive();
  }

  /**
   * promtool's lint of the exposition. Exit 1 (it does not parse) fails; lint findings (exit 3) may
   * only concern third-party meters, plus one of pipit's: {@code pipit_originals_count} is the name
   * the meter contract fixes, and promtool reads its {@code _count} suffix as a summary's.
   */
  void lintALiveScrape(ServiceProcess service) throws Exception {
    HttpResponse<String> scrape = service.get("/actuator/prometheus");
    assertThat(scrape.statusCode()).isEqualTo(200);
    Tool lint = Tool.run(dir, scrape.body(), List.of("promtool", "check", "metrics"));
    assertThat(lint.exitCode()).as(lint.describe()).isIn(0, 3);
    for (String line : lint.output().lines().toList()) {
      if (line.startsWith("pipit_")) {
        assertThat(line).as(lint.describe()).startsWith("pipit_originals_count non-histogram");
      }
      if (line.startsWith("http_server_requests_seconds")) {
        // Spring's own meter carries no description, so no HELP line.
        assertThat(line).as(lint.describe()).endsWith("no help text");
      }
    }
  }

  void everyRuleEvaluates(int port) throws Exception {
    JsonNode rules = api(port, "/api/v1/rules");
    int count = 0;
    for (JsonNode group : rules.path("data").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        assertThat(rule.path("health").asString())
            .as(rule.path("name").asString() + ": " + rule.path("lastError").asString())
            .isEqualTo("ok");
        count++;
      }
    }
    assertThat(count).isEqualTo(8);
  }

  void everyQueryHasData(int port, long start, ServiceProcess service) throws Exception {
    long end = System.currentTimeMillis() / 1000;
    boolean gpu =
        service.get("/actuator/prometheus").body().contains("pipit_engine_gpu_memory_used_bytes");
    List<String> empty = new ArrayList<>();
    int checked = 0;
    for (Dashboard dashboard : Dashboards.load()) {
      List<String[]> substitutions = new ArrayList<>();
      for (Variable variable : dashboard.variables()) {
        String selector = substitute(variable.selector(), substitutions);
        JsonNode series =
            api(
                port,
                "/api/v1/series?match[]=%s&start=%d&end=%d"
                    .formatted(encode(selector), start, end));
        TreeSet<String> values = new TreeSet<>();
        series.path("data").forEach(s -> values.add(s.path(variable.label()).asString()));
        values.remove("");
        if (values.isEmpty()) {
          empty.add(dashboard.file() + " variable $" + variable.name() + ": " + variable.query());
        }
        // Grafana's multi-value form: the values as an escaped regex alternation.
        substitutions.add(
            new String[] {
              "$" + variable.name(),
              "(" + String.join("|", values.stream().map(PrometheusIT::regex).toList()) + ")"
            });
      }
      for (Query query : dashboard.queries()) {
        if (query.gpuOnly() && !gpu) {
          continue;
        }
        String expr = substitute(query.expr(), substitutions);
        JsonNode result =
            api(
                port,
                "/api/v1/query_range?query=%s&start=%d&end=%d&step=2"
                    .formatted(encode(expr), start, end));
        assertThat(result.path("status").asString()).as(query + "\n" + result).isEqualTo("success");
        checked++;
        if (result.path("data").path("result").isEmpty()) {
          empty.add(query.toString());
        }
      }
    }
    assertThat(checked).isGreaterThan(60);
    assertThat(empty).as("queries without data").isEmpty();
  }

  static String substitute(String expr, List<String[]> variables) {
    String out = expr.replace("$__rate_interval", "30s").replace("$__interval", "2s");
    for (String[] variable : variables) {
      out = out.replace(variable[0], variable[1]);
    }
    return out;
  }

  /** A label value as a PromQL regex inside a double-quoted string (Grafana escapes the same). */
  static String regex(String value) {
    return Pattern.quote(value).replace("\\", "\\\\");
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  JsonNode api(int port, String pathAndQuery) throws Exception {
    HttpResponse<String> response = get(URI.create("http://127.0.0.1:" + port + pathAndQuery));
    assertThat(response.statusCode()).as(pathAndQuery + ": " + response.body()).isEqualTo(200);
    return Dashboards.parse(response.body());
  }

  HttpResponse<String> get(URI uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
