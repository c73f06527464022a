package dev.pipit.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.observability.Tool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files (Dockerfile, docker-compose.yml, k8s/), checked with the real tools (kubectl
 * kustomize, yamllint, docker compose) and an offline Kubernetes schema; the cluster topology is
 * checked against the contract: a StatefulSet per shard that sets its shard, a router that lists
 * every replica of every shard, and NetworkPolicies router → nodes → PostgreSQL.
 */
class DeploymentConfigTests {

  static final List<String> KUSTOMIZATIONS =
      List.of(
          "k8s/overlays/standalone",
          "k8s/overlays/cluster",
          "k8s/overlays/cluster-small",
          "k8s/overlays/gpu",
          "k8s/train",
          "k8s/observability");

  /** The objects {@code kubectl kustomize dir} renders, by "Kind/name". */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> render(String dir) throws Exception {
    Tool render = Tool.run("kubectl", "kustomize", dir);
    assertThat(render.exitCode()).as(dir + ": " + render.describe()).isZero();
    Map<String, Map<String, Object>> objects = new LinkedHashMap<>();
    for (Object document : new Yaml().loadAll(render.output())) {
      Map<String, Object> object = (Map<String, Object>) document;
      String key = object.get("kind") + "/" + map(object, "metadata").get("name");
      assertThat(objects.put(key, object)).as(dir + " renders " + key + " once").isNull();
    }
    return objects;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, Object> parent, String... path) {
    Map<String, Object> current = parent;
    for (String key : path) {
      current = (Map<String, Object>) Objects.requireNonNull(current.get(key), key);
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
    return (List<Map<String, Object>>) parent.getOrDefault(key, List.of());
  }

  static Map<String, Object> podSpec(Map<String, Object> workload) {
    return workload.get("kind").equals("Job") || workload.containsKey("spec")
        ? map(workload, "spec", "template", "spec")
        : Map.of();
  }

  static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new HashMap<>();
    for (Map<String, Object> variable : list(container, "env")) {
      env.put((String) variable.get("name"), String.valueOf(variable.get("value")));
    }
    return env;
  }

  static List<Map<String, Object>> workloads(Map<String, Map<String, Object>> objects) {
    return objects.values().stream()
        .filter(o -> List.of("StatefulSet", "Deployment", "Job").contains(o.get("kind")))
        .toList();
  }

  @Test
  void everyKustomizationRendersAndEveryObjectPassesTheKubernetesSchema() throws Exception {
    for (String dir : KUSTOMIZATIONS) {
      Map<String, Map<String, Object>> objects = render(dir);
      assertThat(objects).as(dir).isNotEmpty();
      objects.values().forEach(KubernetesSchema::validate);
    }
  }

  /** The schema check is strict: a misspelt field, a missing required one, a wrong shape fail. */
  @Test
  @SuppressWarnings("unchecked")
  void theSchemaCheckRefusesWhatTheApiServerWould() throws Exception {
    Map<String, Map<String, Object>> objects = render("k8s/overlays/standalone");
    Yaml yaml = new Yaml();
    String statefulSet = yaml.dump(objects.get("StatefulSet/pipit"));

    Map<String, Object> misspelt = yaml.load(statefulSet);
    map(misspelt, "spec").put("replica", 1);
    assertThatThrownBy(() -> KubernetesSchema.validate(misspelt)).hasMessageContaining("replica");

    Map<String, Object> nameless = yaml.load(statefulSet);
    list(map(nameless, "spec", "template", "spec"), "containers").getFirst().remove("name");
    assertThatThrownBy(() -> KubernetesSchema.validate(nameless)).hasMessageContaining("name");

    Map<String, Object> wrongShape = yaml.load(statefulSet);
    map(wrongShape, "spec", "template", "spec").put("containers", Map.of("name", "pipit"));
    assertThatThrownBy(() -> KubernetesSchema.validate(wrongShape))
        .hasMessageContaining("containers");

    Map<String, Object> wrongGroup = yaml.load(statefulSet);
    wrongGroup.put("apiVersion", "v1");
    assertThatThrownBy(() -> KubernetesSchema.validate(wrongGroup)).hasMessageContaining("apps/v1");
  }

  /** Non-root, no privilege escalation, read-only root, probes and resources on every pipit pod. */
  @Test
  void everyPodIsLockedDownProbedAndSized() throws Exception {
    for (String dir : KUSTOMIZATIONS) {
      for (Map<String, Object> workload : workloads(render(dir))) {
        String name = dir + " " + map(workload, "metadata").get("name");
        Map<String, Object> pod = podSpec(workload);
        assertThat(map(pod, "securityContext")).as(name).containsEntry("runAsNonRoot", true);
        assertThat(pod).as(name).containsEntry("automountServiceAccountToken", false);
        for (Map<String, Object> container : list(pod, "containers")) {
          assertThat(map(container, "securityContext"))
              .as(name)
              .containsEntry("allowPrivilegeEscalation", false)
              .containsEntry("readOnlyRootFilesystem", true);
          assertThat(map(container, "resources")).as(name).containsKeys("requests", "limits");
          if (!workload.get("kind").equals("Job")) {
            assertThat(container).as(name).containsKeys("readinessProbe", "livenessProbe");
          }
          if (!workload.get("kind").equals("Job")
              && ((String) container.get("image")).startsWith("pipit")) {
            assertThat(map(container, "readinessProbe", "httpGet").get("path"))
                .as(name)
                .isEqualTo("/readyz");
            assertThat(map(container, "livenessProbe", "httpGet").get("path"))
                .as(name)
                .isEqualTo("/livez");
          }
        }
      }
    }
  }

  @Test
  void standaloneIsOneNodeWithItsVolumeAndTheKeysSecret() throws Exception {
    Map<String, Map<String, Object>> objects = render("k8s/overlays/standalone");
    Map<String, Object> statefulSet = objects.get("StatefulSet/pipit");
    assertThat(map(statefulSet, "spec").get("replicas")).isEqualTo(1);
    Map<String, Object> container = list(podSpec(statefulSet), "containers").getFirst();
    assertThat(container.get("image")).isEqualTo("pipit:latest");
    assertThat(env(container))
        .containsEntry("PIPIT_CLUSTER_MODE", "standalone")
        .containsEntry("PIPIT_SECURITY_KEYSFILE", "/etc/pipit/keys.yml");
    assertKeysSecretMounted(objects, podSpec(statefulSet));
    assertThat(list(map(statefulSet, "spec"), "volumeClaimTemplates")).hasSize(1);
  }

  @SuppressWarnings("unchecked")
  static void assertKeysSecretMounted(
      Map<String, Map<String, Object>> objects, Map<String, Object> pod) throws Exception {
    String secretName =
        list(pod, "volumes").stream()
            .filter(v -> v.get("name").equals("keys"))
            .map(v -> (String) map(v, "secret").get("secretName"))
            .findFirst()
            .orElseThrow();
    Map<String, Object> secret = objects.get("Secret/" + secretName);
    assertThat(secret).as("the keys Secret " + secretName).isNotNull();
    String keysYaml =
        new String(
            Base64.getMimeDecoder().decode((String) map(secret, "data").get("keys.yml")),
            StandardCharsets.UTF_8);
    Map<String, Object> keys = new Yaml().load(keysYaml);
    for (Map<String, Object> key : (List<Map<String, Object>>) keys.get("keys")) {
      assertThat(key).containsKeys("name", "hash", "roles");
      assertThat((String) key.get("hash")).matches("\\{sha256\\}[0-9a-f]{64}");
    }
  }

  /** The contract: one StatefulSet per shard setting its shard; the router lists every replica. */
  @ParameterizedTest
  @ValueSource(strings = {"k8s/overlays/cluster", "k8s/overlays/cluster-small"})
  void clusterHasAStatefulSetPerShardAndARouterThatReachesEveryReplica(String overlay)
      throws Exception {
    Map<String, Map<String, Object>> objects = render(overlay);
    List<Map<String, Object>> shards = new ArrayList<>();
    for (Map<String, Object> workload : workloads(objects)) {
      Map<String, String> env = env(list(podSpec(workload), "containers").getFirst());
      if ("node".equals(env.get("PIPIT_CLUSTER_MODE"))) {
        shards.add(workload);
      }
    }
    int shardCount = shards.size();
    assertThat(shardCount).isEqualTo(2);

    Map<String, Object> router = objects.get("Deployment/pipit-router");
    Map<String, String> routerEnv = env(list(podSpec(router), "containers").getFirst());
    assertThat(routerEnv).containsEntry("PIPIT_CLUSTER_MODE", "router");
    for (Map<String, Object> shard : shards) {
      Map<String, Object> container = list(podSpec(shard), "containers").getFirst();
      Map<String, String> env = env(container);
      assertThat(env).containsEntry("PIPIT_CLUSTER_SHARDS", String.valueOf(shardCount));
      int index = Integer.parseInt(env.get("PIPIT_CLUSTER_SHARD"));
      String name = (String) map(shard, "metadata").get("name");
      String service = (String) map(shard, "spec").get("serviceName");
      assertThat(objects.get("Service/" + service)).as(service).isNotNull();
      int replicas = (Integer) map(shard, "spec").get("replicas");
      assertThat(replicas).as(name).isGreaterThanOrEqualTo(2);
      List<String> expected = new ArrayList<>();
      for (int ordinal = 0; ordinal < replicas; ordinal++) {
        expected.add("http://" + name + "-" + ordinal + "." + service + ":8080");
      }
      assertThat(routerEnv.get("PIPIT_CLUSTER_ROUTER_SHARDURLS_" + index))
          .as("shard " + index)
          .isEqualTo(String.join(",", expected));
      List<String> secrets =
          list(container, "env").stream()
              .filter(v -> v.containsKey("valueFrom"))
              .map(v -> (String) map(v, "valueFrom", "secretKeyRef").get("name"))
              .toList();
      assertThat(secrets).hasSize(3).allMatch(s -> objects.containsKey("Secret/" + s));
      assertKeysSecretMounted(objects, podSpec(shard));
      Map<String, String> podLabels = labels(map(shard, "spec", "template", "metadata"));
      assertThat(budgetsSelecting(objects, podLabels)).as(name + " PodDisruptionBudget").hasSize(1);
    }
    // the router's own key on the nodes, from a Secret (see
    // composeClusterProfileMatchesTheContract)
    Map<String, Object> nodeKey =
        list(list(podSpec(router), "containers").getFirst(), "env").stream()
            .filter(v -> "PIPIT_CLUSTER_ROUTER_NODEAPIKEY".equals(v.get("name")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the router sets no node API key"));
    assertThat(objects)
        .containsKey("Secret/" + map(nodeKey, "valueFrom", "secretKeyRef").get("name"));
    assertThat(routerEnv).containsKey("PIPIT_CLUSTER_ROUTER_SHARDURLS_" + (shardCount - 1));
    assertThat(routerEnv).doesNotContainKey("PIPIT_CLUSTER_ROUTER_SHARDURLS_" + shardCount);

    Map<String, Object> autoscaler = objects.get("HorizontalPodAutoscaler/pipit-router");
    assertThat(map(autoscaler, "spec", "scaleTargetRef"))
        .containsEntry("kind", "Deployment")
        .containsEntry("name", "pipit-router");
    assertThat(budgetsSelecting(objects, labels(map(router, "spec", "template", "metadata"))))
        .hasSize(1);
    assertThat(objects).containsKeys("StatefulSet/pipit-postgres", "Service/pipit-postgres");
  }

  /**
   * The small cluster is what deploy.yml applies on kind, on a GitHub runner of 4 cores and 16 GB:
   * every pod must be schedulable there, next to kind's own control plane (about a core and 2 GB).
   */
  @Test
  void theSmallClusterFitsOneFourCoreSixteenGigabyteMachine() throws Exception {
    long milliCpu = 0;
    long limitBytes = 0;
    int pods = 0;
    for (Map<String, Object> workload : workloads(render("k8s/overlays/cluster-small"))) {
      int replicas = (Integer) map(workload, "spec").getOrDefault("replicas", 1);
      for (Map<String, Object> container : list(podSpec(workload), "containers")) {
        Map<String, Object> resources = map(container, "resources");
        milliCpu += replicas * milliCpu((String) map(resources, "requests").get("cpu"));
        limitBytes += replicas * bytes((String) map(resources, "limits").get("memory"));
      }
      pods += replicas;
    }
    assertThat(pods).as("postgres, 2 x 2 replicas, a router").isEqualTo(6);
    assertThat(milliCpu).isLessThanOrEqualTo(3_000);
    assertThat(limitBytes).isLessThanOrEqualTo(14L << 30);
  }

  private static long milliCpu(String quantity) {
    return quantity.endsWith("m")
        ? Long.parseLong(quantity.substring(0, quantity.length() - 1))
        : Math.round(Double.parseDouble(quantity) * 1000);
  }

  private static long bytes(String quantity) {
    return Long.parseLong(quantity.substring(0, quantity.length() - 2))
        << (quantity.endsWith("Gi") ? 30 : quantity.endsWith("Mi") ? 20 : 0);
  }

  @SuppressWarnings("unchecked")
  static Map<String, String> labels(Map<String, Object> metadata) {
    return (Map<String, String>) metadata.get("labels");
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> budgetsSelecting(
      Map<String, Map<String, Object>> objects, Map<String, String> podLabels) {
    return objects.values().stream()
        .filter(o -> o.get("kind").equals("PodDisruptionBudget"))
        .filter(
            o ->
                podLabels
                    .entrySet()
                    .containsAll(
                        ((Map<String, String>) map(o, "spec", "selector").get("matchLabels"))
                            .entrySet()))
        .toList();
  }

  /** Router → nodes → PostgreSQL, Prometheus → nodes; nothing else reaches nodes or PostgreSQL. */
  @Test
  @SuppressWarnings("unchecked")
  void clusterNetworkPoliciesAllowOnlyTheContractsPaths() throws Exception {
    Map<String, Map<String, Object>> objects = render("k8s/overlays/cluster");
    Map<String, Object> nodes = map(objects.get("NetworkPolicy/pipit-node"), "spec");
    assertThat((List<String>) nodes.get("policyTypes")).contains("Ingress", "Egress");
    List<Map<String, Object>> nodeSources = list(list(nodes, "ingress").getFirst(), "from");
    assertThat(list(nodes, "ingress")).hasSize(1);
    assertThat(nodeSources.toString()).contains("pipit-router", "prometheus");
    assertThat(nodeSources).allMatch(from -> from.containsKey("podSelector"));
    assertThat(list(nodes, "egress").toString()).contains("pipit-postgres", "5432");

    Map<String, Object> postgres = map(objects.get("NetworkPolicy/pipit-postgres"), "spec");
    assertThat(list(postgres, "ingress")).hasSize(1);
    List<Map<String, Object>> postgresSources = list(list(postgres, "ingress").getFirst(), "from");
    assertThat(postgresSources).hasSize(1);
    assertThat(map(postgresSources.getFirst(), "podSelector", "matchLabels"))
        .containsEntry("app.kubernetes.io/name", "pipit-node");

    Map<String, Object> router = map(objects.get("NetworkPolicy/pipit-router"), "spec");
    assertThat(list(router, "egress").toString()).contains("pipit-node", "8080");
  }

  @Test
  void gpuOverlayAndTrainingJobRunTheCudaImageOnAGpuNode() throws Exception {
    Map<String, Object> node = render("k8s/overlays/gpu").get("StatefulSet/pipit");
    Map<String, Object> job = render("k8s/train").get("Job/pipit-train-cub200-agmh-48");
    for (Map<String, Object> workload : List.of(node, job)) {
      Map<String, Object> pod = podSpec(workload);
      Map<String, Object> container = list(pod, "containers").getFirst();
      assertThat(container.get("image")).isEqualTo("pipit:cuda");
      assertThat(env(container)).containsEntry("PIPIT_ENGINE_DEVICE", "cuda");
      assertThat(map(container, "resources", "limits")).containsEntry("nvidia.com/gpu", 1);
      assertThat(map(pod, "nodeSelector")).containsEntry("nvidia.com/gpu.present", "true");
      assertThat(list(pod, "tolerations").toString()).contains("nvidia.com/gpu");
    }
    List<Map<String, Object>> containers = list(podSpec(job), "containers");
    assertThat((List<Object>) containers.getFirst().get("args")).first().isEqualTo("train");
    assertThat(map(job, "spec", "template", "spec")).containsEntry("restartPolicy", "Never");
  }

  @Test
  void everyDeploymentYamlFilePassesYamllint() throws Exception {
    Tool lint =
        Tool.run(
            "yamllint",
            "--strict",
            "-c",
            "observability/yamllint.yml",
            "k8s",
            "deploy",
            ".github",
            "docker-compose.yml");
    assertThat(lint.exitCode()).as(lint.describe()).isZero();
  }

  /** Docker Compose v2 (the docker plugin) where present, else Debian's docker-compose. */
  static List<String> compose() throws Exception {
    for (List<String> candidate :
        List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
      List<String> version = new ArrayList<>(candidate);
      version.add("version");
      try {
        if (Tool.run(Path.of("").toAbsolutePath(), null, version).exitCode() == 0) {
          return candidate;
        }
      } catch (AssertionError notInstalled) {
        // try the next
      }
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError("docker compose missing: run bin/fetch-assets --test");
    }
    Assumptions.abort(
        "neither docker compose nor docker-compose installed (required when CI=true)");
    return List.of();
  }

  @Test
  void everyComposeProfileRenders() throws Exception {
    List<String> compose = compose();
    for (String profile : List.of("", "cluster", "gpu")) {
      List<String> command = new ArrayList<>(compose);
      if (!profile.isEmpty()) {
        command.addAll(List.of("--profile", profile));
      }
      command.add("config");
      Tool config = Tool.run(Path.of("").toAbsolutePath(), null, command);
      assertThat(config.exitCode()).as(command + ": " + config.describe()).isZero();
      assertThat(config.output()).as(profile).contains("pipit", "prometheus", "grafana");
    }
  }

  /** The services of docker-compose.yml, by name. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> composeServices() throws Exception {
    Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
    return (Map<String, Object>) compose.get("services");
  }

  /** The cluster profile follows the contract: nodes of each shard, a router listing them. */
  @Test
  @SuppressWarnings("unchecked")
  void composeClusterProfileMatchesTheContract() throws Exception {
    Map<String, Object> services = composeServices();
    Map<Integer, List<String>> replicas = new HashMap<>();
    for (Map.Entry<String, Object> entry : services.entrySet()) {
      Map<String, Object> service = (Map<String, Object>) entry.getValue();
      Map<String, Object> env = (Map<String, Object>) service.getOrDefault("environment", Map.of());
      if ("node".equals(env.get("PIPIT_CLUSTER_MODE"))) {
        assertThat((List<String>) service.get("profiles")).containsExactly("cluster");
        assertThat(env).containsEntry("PIPIT_CLUSTER_SHARDS", "2");
        replicas
            .computeIfAbsent(
                Integer.parseInt((String) env.get("PIPIT_CLUSTER_SHARD")), s -> new ArrayList<>())
            .add("http://" + entry.getKey() + ":8080");
      }
    }
    assertThat(replicas).containsOnlyKeys(0, 1);
    Map<String, Object> router = (Map<String, Object>) services.get("pipit-router");
    Map<String, Object> routerEnv = (Map<String, Object>) router.get("environment");
    for (Map.Entry<Integer, List<String>> shard : replicas.entrySet()) {
      assertThat(shard.getValue()).hasSize(2);
      assertThat(
              List.of(
                  ((String) routerEnv.get("PIPIT_CLUSTER_ROUTER_SHARDURLS_" + shard.getKey()))
                      .split(",")))
          .containsExactlyInAnyOrderElementsOf(shard.getValue());
    }
    // Without its own key on the nodes the router forwards an anonymous caller's missing credential
    // to the admin-only POST /v1/encode: every anonymous search by image answered 401 (found by
    // running the cluster profile).
    assertThat((String) routerEnv.get("PIPIT_CLUSTER_ROUTER_NODEAPIKEY")).isNotBlank();
    Map<String, Object> postgres = (Map<String, Object>) services.get("postgres");
    assertThat((String) postgres.get("image")).matches("postgres:16\\.\\d+");
    Map<String, Object> gpu = (Map<String, Object>) services.get("pipit-gpu");
    assertThat(gpu.toString()).contains("driver=nvidia", "capabilities=[gpu]");
  }

  /**
   * A health check that opens /dev/tcp needs bash: CMD-SHELL runs /bin/sh, which is dash in the
   * images (Debian, Ubuntu), and such a check never passes, so nothing that waits for
   * service_healthy ever starts. Found by running the compose file for real.
   */
  @Test
  @SuppressWarnings("unchecked")
  void composeHealthChecksThatOpenATcpSocketRunInBash() throws Exception {
    Map<String, Object> services = composeServices();
    int checked = 0;
    for (Map.Entry<String, Object> entry : services.entrySet()) {
      Map<String, Object> check =
          (Map<String, Object>) ((Map<String, Object>) entry.getValue()).get("healthcheck");
      List<String> test = check == null ? List.of() : (List<String>) check.get("test");
      if (String.join(" ", test).contains("/dev/tcp")) {
        assertThat(test.subList(0, 3)).as(entry.getKey()).containsExactly("CMD", "bash", "-c");
        checked++;
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(5);
    // and the image's own check too
    assertThat(Files.readString(Path.of("Dockerfile")))
        .doesNotContain("CMD-SHELL")
        .contains("CMD [\"bash\", \"-c\", \"exec 3<>/dev/tcp/");
  }

  /**
   * Both images: CUDA 11.8 runtime base with -Pcuda, non-root, libtorch extracted at build time.
   */
  @Test
  void dockerfileBuildsACpuAndACudaImage() throws Exception {
    String dockerfile = Files.readString(Path.of("Dockerfile"));
    assertThat(dockerfile)
        .contains("FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 AS cuda")
        .contains("FROM eclipse-temurin:25-jre AS cpu")
        .contains("-Pcuda -DskipTests package")
        .contains("PIPIT_ENGINE_DEVICE=cuda")
        .contains("JAVA_TOOL_OPTIONS=\"-Dai.djl.offline=true\"")
        .contains("HEALTHCHECK");
    assertThat(dockerfile.lines().filter(l -> l.startsWith("USER ")).toList())
        .containsExactly("USER 10001:10001", "USER 10001:10001");
    assertThat(dockerfile.lines().filter(l -> l.contains("WarmEngine &&")).count()).isEqualTo(2);
    // the last stage is the default target: the CPU image
    assertThat(dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList().getLast())
        .endsWith("AS cpu");
    assertThat(Path.of("docker/WarmEngine.java")).exists();
  }
}
