package dev.pipit.observability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The provisioned Grafana dashboards as the tests see them: every panel (those inside collapsed
 * rows included), every query target and every template variable.
 */
final class Dashboards {

  static final Path DIR = Path.of("observability/grafana/dashboards");
  static final String DATASOURCE_UID = "pipit-prometheus";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One dashboard file. */
  record Dashboard(String file, JsonNode root) {

    String uid() {
      return root.path("uid").asString();
    }

    /** Every panel, rows and the panels nested in collapsed rows included, in file order. */
    List<JsonNode> panels() {
      List<JsonNode> all = new ArrayList<>();
      for (JsonNode panel : root.path("panels")) {
        all.add(panel);
        for (JsonNode nested : panel.path("panels")) {
          all.add(nested);
        }
      }
      return all;
    }

    List<Query> queries() {
      List<Query> queries = new ArrayList<>();
      for (JsonNode panel : panels()) {
        for (JsonNode target : panel.path("targets")) {
          queries.add(
              new Query(
                  file,
                  panel.path("title").asString(),
                  target.path("refId").asString(),
                  target.path("expr").asString(),
                  panel.path("description").asString().contains("GPU-only")));
        }
      }
      return queries;
    }

    List<Variable> variables() {
      List<Variable> variables = new ArrayList<>();
      for (JsonNode variable : root.path("templating").path("list")) {
        JsonNode query = variable.path("query");
        variables.add(
            new Variable(
                variable.path("name").asString(),
                query.isObject() ? query.path("query").asString() : query.asString(),
                variable.path("allValue").asString(),
                variable));
      }
      return variables;
    }
  }

  /** One target of one panel. */
  record Query(String dashboard, String panel, String refId, String expr, boolean gpuOnly) {
    @Override
    public String toString() {
      return dashboard + " / " + panel + " / " + refId + ": " + expr;
    }
  }

  /** A template variable: {@code label_values(selector, label)} and its All value. */
  record Variable(String name, String query, String allValue, JsonNode node) {

    /** The series selector of {@code label_values(selector, label)}. */
    String selector() {
      return query.substring("label_values(".length(), query.lastIndexOf(',')).strip();
    }

    /** The label of {@code label_values(selector, label)}. */
    String label() {
      return query.substring(query.lastIndexOf(',') + 1, query.lastIndexOf(')')).strip();
    }
  }

  private Dashboards() {}

  static List<Dashboard> load() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      List<Dashboard> dashboards = new ArrayList<>();
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        dashboards.add(new Dashboard(file.getFileName().toString(), JSON.readTree(file.toFile())));
      }
      return dashboards;
    }
  }

  static JsonNode parse(String json) {
    return JSON.readTree(json);
  }
}
