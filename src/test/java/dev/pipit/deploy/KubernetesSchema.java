package dev.pipit.deploy;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import io.kubernetes.client.openapi.JSON;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;

/**
 * Offline schema check of a Kubernetes object: the official Java client's model of its kind
 * (generated from the Kubernetes OpenAPI) rejects fields the API does not define, required fields
 * that are missing and values of the wrong shape, at every level; then the object must deserialise
 * into it.
 */
final class KubernetesSchema {

  /** The API group version of every kind the manifests use (the models do not carry the group). */
  static final Map<String, String> API_VERSIONS =
      Map.ofEntries(
          Map.entry("ConfigMap", "v1"),
          Map.entry("Secret", "v1"),
          Map.entry("Service", "v1"),
          Map.entry("ServiceAccount", "v1"),
          Map.entry("PersistentVolumeClaim", "v1"),
          Map.entry("StatefulSet", "apps/v1"),
          Map.entry("Deployment", "apps/v1"),
          Map.entry("Job", "batch/v1"),
          Map.entry("HorizontalPodAutoscaler", "autoscaling/v2"),
          Map.entry("PodDisruptionBudget", "policy/v1"),
          Map.entry("NetworkPolicy", "networking.k8s.io/v1"));

  /**
   * Custom resources of the Prometheus Operator: no model here; ObservabilityConfigTests checks
   * them.
   */
  static final Map<String, String> CUSTOM_RESOURCES =
      Map.of(
          "ServiceMonitor",
          "monitoring.coreos.com/v1",
          "PrometheusRule",
          "monitoring.coreos.com/v1");

  private static final Gson PLAIN = new Gson();

  private KubernetesSchema() {}

  /** Throws an AssertionError naming the object and what the schema refused. */
  static void validate(Map<String, Object> object) {
    String kind = (String) object.get("kind");
    String apiVersion = (String) object.get("apiVersion");
    String name = kind + " " + ((Map<?, ?>) object.get("metadata")).get("name");
    if (CUSTOM_RESOURCES.containsKey(kind)) {
      if (!CUSTOM_RESOURCES.get(kind).equals(apiVersion)) {
        throw new AssertionError(name + ": apiVersion " + apiVersion);
      }
      return;
    }
    String expected = API_VERSIONS.get(kind);
    if (expected == null) {
      throw new AssertionError(name + ": kind without a known schema (add it to API_VERSIONS)");
    }
    if (!expected.equals(apiVersion)) {
      throw new AssertionError(
          name + ": apiVersion " + apiVersion + ", the API serves " + expected);
    }
    Class<?> model = model(apiVersion, kind);
    JsonElement json = PLAIN.toJsonTree(object);
    try {
      model.getMethod("validateJsonElement", JsonElement.class).invoke(null, json);
      JSON.getGson().fromJson(json, model);
    } catch (InvocationTargetException refused) {
      throw new AssertionError(name + ": " + refused.getCause().getMessage(), refused.getCause());
    } catch (RuntimeException refused) {
      throw new AssertionError(name + ": " + refused.getMessage(), refused);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Class<?> model(String apiVersion, String kind) {
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    String simpleName = Character.toUpperCase(version.charAt(0)) + version.substring(1) + kind;
    try {
      return Class.forName("io.kubernetes.client.openapi.models." + simpleName);
    } catch (ClassNotFoundException e) {
      throw new AssertionError("no model " + simpleName, e);
    }
  }
}
