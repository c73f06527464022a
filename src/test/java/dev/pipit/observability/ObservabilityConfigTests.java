package dev.pipit.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.observability.Dashboards.Dashboard;
import dev.pipit.observability.Dashboards.Query;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

/**
 * The Prometheus configuration, alerts, Grafana dashboards and their Kubernetes form, checked with
 * the real tools (promtool, yamllint, kubectl kustomize) and structurally. PrometheusIT runs every
 * dashboard query against a live Prometheus.
 */
class ObservabilityConfigTests {

  static final Path PROMETHEUS = Path.of("observability/prometheus");

  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(Path file) throws Exception {
    return (Map<String, Object>) new Yaml().load(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> alertRules() throws Exception {
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Object group : (List<Object>) yaml(PROMETHEUS.resolve("alerts.yml")).get("groups")) {
      rules.addAll((List<Map<String, Object>>) ((Map<String, Object>) group).get("rules"));
    }
    return rules;
  }

  @Test
  void promtoolAcceptsTheConfigAndTheRules() throws Exception {
    Tool config = Tool.run("promtool", "check", "config", PROMETHEUS + "/prometheus.yml");
    assertThat(config.exitCode()).as(config.describe()).isZero();
    assertThat(config.output()).contains("SUCCESS: 1 rule files found");
    Tool rules = Tool.run("promtool", "check", "rules", PROMETHEUS + "/alerts.yml");
    assertThat(rules.exitCode()).as(rules.describe()).isZero();
  }

  @Test
  @SuppressWarnings("unchecked")
  void theIssuesAlertsExistWithForSeverityAndRunbook() throws Exception {
    List<Map<String, Object>> rules = alertRules();
    assertThat(rules)
        .extracting(rule -> rule.get("alert"))
        .containsExactlyInAnyOrder(
            "PipitDown",
            "PipitSearchLatencyHigh",
            "PipitHighErrorRatio",
            "PipitEncoderSaturated",
            "PipitWalFsyncSlow",
            "PipitStorageFailure",
            "PipitSnapshotStale",
            "PipitTrainJobFailed");
    for (Map<String, Object> rule : rules) {
      assertThat(rule).as("%s", rule.get("alert")).containsKeys("expr", "for");
      assertThat(((Map<String, Object>) rule.get("labels")).get("severity"))
          .as("%s severity", rule.get("alert"))
          .isIn("warning", "critical");
      assertThat((Map<String, Object>) rule.get("annotations"))
          .as("%s annotations", rule.get("alert"))
          .containsKeys("summary", "description", "runbook");
    }
  }

  /** Each alert has a test case where it fires and one where it stays quiet, and all pass. */
  @Test
  @SuppressWarnings("unchecked")
  void everyAlertFiresAndStaysQuietInPromtoolUnitTests() throws Exception {
    Set<String> fires = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    for (Object test : (List<Object>) yaml(PROMETHEUS.resolve("alerts.test.yml")).get("tests")) {
      for (Object check :
          (List<Object>) ((Map<String, Object>) test).getOrDefault("alert_rule_test", List.of())) {
        Map<String, Object> c = (Map<String, Object>) check;
        List<Object> expected = (List<Object>) c.getOrDefault("exp_alerts", List.of());
        (expected.isEmpty() ? quiet : fires).add((String) c.get("alertname"));
      }
    }
    Set<String> alerts = new TreeSet<>();
    alertRules().forEach(rule -> alerts.add((String) rule.get("alert")));
    assertThat(fires).as("alerts with a firing test").isEqualTo(alerts);
    assertThat(quiet).as("alerts with a quiet test").isEqualTo(alerts);

    Tool test =
        Tool.run(
            Path.of("").toAbsolutePath().resolve(PROMETHEUS),
            null,
            List.of("promtool", "test", "rules", "alerts.test.yml"));
    assertThat(test.exitCode()).as(test.describe()).isZero();
    assertThat(test.output()).contains("SUCCESS");
  }

  @Test
  void dashboardsAreProvisionableAndPointAtTheFixedDatasource() throws Exception {
    List<Dashboard> dashboards = Dashboards.load();
    assertThat(dashboards)
        .extracting(Dashboard::file)
        .containsExactlyInAnyOrder(
            "service.json", "index-storage.json", "training-models.json", "jvm-host.json");
    Set<String> uids = new HashSet<>();
    for (Dashboard dashboard : dashboards) {
      String name = dashboard.file();
      assertThat(uids.add(dashboard.uid())).as("unique uid %s", dashboard.uid()).isTrue();
      assertThat(dashboard.uid()).as(name).isNotBlank();
      assertThat(dashboard.root().has("__inputs")).as(name + " has __inputs").isFalse();
      assertThat(dashboard.root().toString()).as(name).doesNotContain("${DS_");
      Set<Integer> ids = new HashSet<>();
      for (JsonNode panel : dashboard.panels()) {
        String title = name + " / " + panel.path("title").asString();
        assertThat(ids.add(panel.path("id").asInt())).as("unique id in " + title).isTrue();
        assertThat(panel.path("gridPos").has("w")).as(title).isTrue();
        if (panel.path("type").asString().equals("row")) {
          continue;
        }
        assertThat(panel.path("datasource").path("uid").asString())
            .as(title)
            .isEqualTo(Dashboards.DATASOURCE_UID);
        assertThat(panel.path("targets").size()).as(title + " targets").isPositive();
        for (JsonNode target : panel.path("targets")) {
          assertThat(target.path("datasource").path("uid").asString())
              .as(title)
              .isEqualTo(Dashboards.DATASOURCE_UID);
          assertThat(target.path("expr").asString()).as(title).isNotBlank();
        }
      }
      for (Dashboards.Variable variable : dashboard.variables()) {
        assertThat(variable.node().path("datasource").path("uid").asString())
            .isEqualTo(Dashboards.DATASOURCE_UID);
        assertThat(variable.query()).startsWith("label_values(");
      }
    }
  }

  /** Quantiles come from histogram buckets, over rates, as Grafana's heatmap math expects. */
  @Test
  void quantilesAreTakenOverBucketRates() throws Exception {
    List<Query> quantiles = new ArrayList<>();
    for (Dashboard dashboard : Dashboards.load()) {
      for (Query query : dashboard.queries()) {
        if (query.expr().contains("histogram_quantile")) {
          quantiles.add(query);
          assertThat(query.expr()).as(query.toString()).containsPattern("rate\\(\\w+_bucket\\{");
          assertThat(query.expr()).as(query.toString()).contains("by (le");
        }
      }
    }
    assertThat(quantiles)
        .extracting(Query::expr)
        .anyMatch(e -> e.startsWith("histogram_quantile(0.5,"))
        .anyMatch(e -> e.startsWith("histogram_quantile(0.95,"))
        .anyMatch(e -> e.startsWith("histogram_quantile(0.99,"));
  }

  @Test
  void generatedFilesMatchTheirSources() throws Exception {
    Tool check = Tool.run("python3", "observability/generate.py", "--check");
    assertThat(check.exitCode()).as(check.describe()).isZero();
  }

  /** The rendered kustomization carries the dashboards and alerts unchanged. */
  @Test
  @SuppressWarnings("unchecked")
  void kubernetesRendersTheSameDashboardsAndAlerts() throws Exception {
    Tool render = Tool.run("kubectl", "kustomize", "k8s/observability");
    assertThat(render.exitCode()).as(render.describe()).isZero();
    Map<String, Map<String, Object>> byKind = new HashMap<>();
    for (Object document : new Yaml().loadAll(render.output())) {
      Map<String, Object> resource = (Map<String, Object>) document;
      byKind.put((String) resource.get("kind"), resource);
    }
    assertThat(byKind).containsOnlyKeys("ServiceMonitor", "PrometheusRule", "ConfigMap");

    Map<String, Object> configMap = byKind.get("ConfigMap");
    Map<String, Object> labels =
        (Map<String, Object>) ((Map<String, Object>) configMap.get("metadata")).get("labels");
    assertThat(labels).containsEntry("grafana_dashboard", "1");
    Map<String, String> data = (Map<String, String>) configMap.get("data");
    for (Dashboard dashboard : Dashboards.load()) {
      assertThat(data).containsKey(dashboard.file());
      assertThat(Dashboards.parse(data.get(dashboard.file()))).isEqualTo(dashboard.root());
    }
    assertThat(data).hasSize(Dashboards.load().size());

    Map<String, Object> rule = byKind.get("PrometheusRule");
    assertThat(rule.get("spec")).isEqualTo(yaml(PROMETHEUS.resolve("alerts.yml")));

    Map<String, Object> monitor = (Map<String, Object>) byKind.get("ServiceMonitor").get("spec");
    assertThat(monitor.toString()).contains("path=/actuator/prometheus", "port=http");
  }

  @Test
  void everyYamlFilePassesYamllint() throws Exception {
    Tool lint =
        Tool.run(
            "yamllint",
            "--strict",
            "-c",
            "observability/yamllint.yml",
            "observability",
            "k8s",
            "docker-compose.yml");
    assertThat(lint.exitCode()).as(lint.describe()).isZero();
  }

  /** Compose pins its images and mounts the files the provisioning names. */
  @Test
  @SuppressWarnings("unchecked")
  void composeProvisionsPrometheusAndGrafanaFromTheseFiles() throws Exception {
    Map<String, Object> services =
        (Map<String, Object>) yaml(Path.of("docker-compose.yml")).get("services");
    Map<String, Object> prometheus = (Map<String, Object>) services.get("prometheus");
    Map<String, Object> grafana = (Map<String, Object>) services.get("grafana");
    assertThat((String) prometheus.get("image")).matches("prom/prometheus:v2\\.\\d+\\.\\d+");
    assertThat((String) grafana.get("image")).matches("grafana/grafana:11\\.\\d+\\.\\d+");
    for (Object volume : (List<Object>) prometheus.get("volumes")) {
      assertHostPathExists((String) volume);
    }
    List<String> grafanaVolumes = (List<String>) grafana.get("volumes");
    grafanaVolumes.forEach(ObservabilityConfigTests::assertHostPathExists);

    Map<String, Object> providers =
        yaml(Path.of("observability/grafana/provisioning/dashboards/pipit.yml"));
    String dashboardsPath =
        (String)
            ((Map<String, Object>)
                    ((List<Map<String, Object>>) providers.get("providers"))
                        .getFirst()
                        .get("options"))
                .get("path");
    assertThat(grafanaVolumes)
        .contains("./observability/grafana/dashboards:" + dashboardsPath + ":ro");
    Map<String, Object> datasources =
        yaml(Path.of("observability/grafana/provisioning/datasources/prometheus.yml"));
    assertThat(((List<Map<String, Object>>) datasources.get("datasources")).getFirst())
        .containsEntry("uid", Dashboards.DATASOURCE_UID)
        .containsEntry("type", "prometheus");
  }

  static void assertHostPathExists(String volume) {
    if (volume.startsWith("./")) {
      assertThat(Path.of(volume.substring(2, volume.indexOf(':')))).as(volume).exists();
    }
  }
}
