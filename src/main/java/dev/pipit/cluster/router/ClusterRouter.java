package dev.pipit.cluster.router;

import dev.pipit.cluster.ShardFunction;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the router does with each request, free of HTTP server types: searches fan out to one
 * replica per shard and merge ({@link TopKMerge}); an image is encoded once on one node, and its
 * code and real-valued output go to every shard; writes go to a replica of their id's shard ({@link
 * ShardFunction}). A node's client error comes back unchanged; a shard none of whose replicas
 * answers makes a search {@code partial} (with {@code missingShards}) and a write 503.
 */
public final class ClusterRouter {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String PROBLEM = "application/problem+json";
  private static final String JSON_TYPE = "application/json";

  /**
   * An incoming request's parts the router passes on.
   *
   * @param query the raw query string, or null ({@code minSequence} and the like travel in it)
   * @param authorization the caller's Authorization header, or null
   */
  public record Caller(String query, String authorization) {}

  /** An uploaded file. */
  public record FilePart(String name, String filename, String contentType, byte[] content) {}

  private final NodeCalls nodes;
  private final ShardFunction shardOf;
  private final String nodeApiKey;
  private final RouterListener listener;

  public ClusterRouter(NodeCalls nodes, String nodeApiKey, RouterListener listener) {
    this.nodes = nodes;
    this.shardOf = new ShardFunction(nodes.replicas().shards());
    this.nodeApiKey = nodeApiKey;
    this.listener = listener;
  }

  /** {@code POST /v1/search} with a JSON code (optionally with {@code values}). */
  public NodeAnswer searchByCode(byte[] body, Caller caller) {
    ObjectNode request;
    try {
      request = (ObjectNode) JSON.readTree(body);
    } catch (JacksonException | ClassCastException e) {
      return problem(400, "Bad Request", "the body is not a JSON object");
    }
    return fanOut(request, caller);
  }

  /**
   * {@code POST /v1/search} with an image: encoded by one node ({@code POST /v1/encode}), then
   * searched on every shard as a code with its real-valued output.
   */
  public NodeAnswer searchByImage(FilePart image, Map<String, String> fields, Caller caller) {
    Multipart form =
        new Multipart().part("image", image.filename(), image.contentType(), image.content());
    byte[] body = form.bytes();
    String key = nodeApiKey != null ? "Bearer " + nodeApiKey : caller.authorization();
    NodeCalls.ShardResult encoded =
        nodes.anyNode(
            base ->
                withAuth(
                    HttpRequest.newBuilder(base.resolve("v1/encode"))
                        .header("Content-Type", form.contentType())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
                    key));
    if (!encoded.answered()) {
      return unavailable(encoded, "no node could encode the image: " + encoded.failure());
    }
    if (!encoded.answer().ok()) {
      return encoded.answer();
    }
    JsonNode encoding = JSON.readTree(encoded.answer().body());
    ObjectNode request = JSON.createObjectNode();
    request.put("code", encoding.get("code").asString());
    request.set("values", encoding.get("values"));
    for (String field : List.of("k", "radius")) {
      String value = fields.get(field);
      if (value != null) {
        try {
          request.put(field, Integer.parseInt(value.strip()));
        } catch (NumberFormatException e) {
          return problem(400, "Bad Request", field + " must be an integer, got '" + value + "'");
        }
      }
    }
    if (fields.get("label") != null) {
      request.put("label", fields.get("label"));
    }
    if (fields.get("rescore") != null) {
      request.put("rescore", Boolean.parseBoolean(fields.get("rescore").strip()));
    }
    if (fields.get("minSequence") != null) {
      request.put("minSequence", fields.get("minSequence").strip());
    }
    return fanOut(request, caller);
  }

  private NodeAnswer fanOut(ObjectNode request, Caller caller) {
    long start = System.nanoTime();
    byte[] body = JSON.writeValueAsBytes(request);
    List<NodeCalls.ShardResult> results =
        nodes.everyShard(
            base ->
                withAuth(
                    HttpRequest.newBuilder(withQuery(base.resolve("v1/search"), caller.query()))
                        .header("Content-Type", JSON_TYPE)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
                    caller.authorization()));
    List<List<JsonNode>> hits = new ArrayList<>();
    TreeSet<Integer> missing = new TreeSet<>();
    JsonNode first = null;
    for (NodeCalls.ShardResult result : results) {
      if (!result.answered()) {
        missing.add(result.shard());
        continue;
      }
      if (!result.answer().ok()) {
        return result.answer(); // the request's own fault (400, 401, 404...): as the node said it
      }
      JsonNode response = JSON.readTree(result.answer().body());
      if (first == null) {
        first = response;
      } else if (!first
          .path("model")
          .path("fingerprint")
          .equals(response.path("model").path("fingerprint"))) {
        return problem(
            503,
            "Service Unavailable",
            "shards answered with different models (a model switch in progress); retry");
      }
      List<JsonNode> shardHits = new ArrayList<>();
      response.path("results").forEach(shardHits::add);
      hits.add(shardHits);
    }
    if (first == null) {
      listener.fannedOut(System.nanoTime() - start, true);
      return problem(503, "Service Unavailable", "no replica of any shard answered");
    }
    boolean radius = request.hasNonNull("radius");
    int k = request.hasNonNull("k") ? request.get("k").asInt() : 10;
    ObjectNode merged = JSON.createObjectNode();
    merged.set("model", first.get("model"));
    ArrayNode list = merged.putArray("results");
    TopKMerge.merge(hits, radius ? -1 : k).forEach(list::add);
    long nanos = System.nanoTime() - start;
    merged.putObject("timings").put("fanout", Math.round(nanos / 1e4) / 100.0);
    merged.set("ordering", first.get("ordering"));
    if (!missing.isEmpty()) {
      merged.put("partial", true);
      ArrayNode shards = merged.putArray("missingShards");
      missing.forEach(shards::add);
    }
    listener.fannedOut(nanos, !missing.isEmpty());
    return new NodeAnswer(200, JSON_TYPE, null, JSON.writeValueAsBytes(merged));
  }

  /** {@code POST /v1/index} with JSON items (codes): to a replica of their shard. */
  public NodeAnswer indexCodes(byte[] body, Caller caller) {
    JsonNode request;
    try {
      request = JSON.readTree(body);
    } catch (JacksonException e) {
      return problem(400, "Bad Request", "the body is not valid JSON");
    }
    Integer shard = shardOfItems(request);
    if (shard == null) {
      return oneShardOnly(request);
    }
    return write(
        shard,
        base ->
            HttpRequest.newBuilder(withQuery(base.resolve("v1/index"), caller.query()))
                .header("Content-Type", JSON_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
        caller);
  }

  /** {@code POST /v1/index} with images and an {@code items} part: to a replica of their shard. */
  public NodeAnswer indexImages(List<FilePart> images, String itemsJson, Caller caller) {
    JsonNode items;
    try {
      items = JSON.readTree(itemsJson == null ? "" : itemsJson);
    } catch (JacksonException e) {
      return problem(400, "Bad Request", "the items part is not valid JSON");
    }
    Integer shard = shardOfItems(items);
    if (shard == null) {
      return oneShardOnly(items);
    }
    Multipart form = new Multipart();
    for (FilePart image : images) {
      form.part("image", image.filename(), image.contentType(), image.content());
    }
    form.part("items", null, JSON_TYPE, itemsJson.getBytes(StandardCharsets.UTF_8));
    byte[] body = form.bytes();
    return write(
        shard,
        base ->
            HttpRequest.newBuilder(withQuery(base.resolve("v1/index"), caller.query()))
                .header("Content-Type", form.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
        caller);
  }

  /** {@code DELETE /v1/index/{id}}: to a replica of the id's shard. */
  public NodeAnswer delete(String id, Caller caller) {
    String path = "v1/index/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    return write(
        shardOf.shardOf(id),
        base ->
            HttpRequest.newBuilder(
                    withQuery(base.resolve(path.replace("+", "%20")), caller.query()))
                .DELETE(),
        caller);
  }

  /**
   * {@code POST /v1/models/{id}/activate}: to any one node, which commits one activation that every
   * node follows at its sequence (the caller's credential goes along: an admin's).
   */
  public NodeAnswer activate(String modelId, Caller caller) {
    String path =
        "v1/models/" + URLEncoder.encode(modelId, StandardCharsets.UTF_8).replace("+", "%20");
    NodeCalls.ShardResult result =
        nodes.anyNode(
            base ->
                withAuth(
                    HttpRequest.newBuilder(
                            withQuery(base.resolve(path + "/activate"), caller.query()))
                        .POST(HttpRequest.BodyPublishers.noBody()),
                    caller.authorization()));
    if (!result.answered()) {
      return unavailable(result, "no node accepted the activation: " + result.failure());
    }
    return result.answer();
  }

  /**
   * {@code GET /v1/models/activation}: an activation job runs on the node that took the activation
   * (any node), so every node is asked; the answer is the running job, else the one started last,
   * else a node's 404.
   */
  public NodeAnswer activation(Caller caller) {
    List<NodeAnswer> answers =
        nodes.everyNode(
            base ->
                withAuth(
                    HttpRequest.newBuilder(base.resolve("v1/models/activation")).GET(),
                    caller.authorization()));
    NodeAnswer best = null;
    Instant bestStarted = null;
    for (NodeAnswer answer : answers) {
      if (answer == null || answer.status() != 200) {
        continue;
      }
      JsonNode job = JSON.readTree(answer.body());
      if ("RUNNING".equals(job.path("state").asString(""))) {
        return answer;
      }
      Instant started = startedAt(job);
      if (best == null || started.isAfter(bestStarted)) {
        best = answer;
        bestStarted = started;
      }
    }
    return best != null ? best : noJobAnswer(answers, "no node answered");
  }

  /**
   * {@code POST /v1/models/activation/cancel}: to every node; the one running the job answers 202,
   * the others 409 (none runs there).
   */
  public NodeAnswer cancelActivation(Caller caller) {
    List<NodeAnswer> answers =
        nodes.everyNode(
            base ->
                withAuth(
                    HttpRequest.newBuilder(base.resolve("v1/models/activation/cancel"))
                        .POST(HttpRequest.BodyPublishers.noBody()),
                    caller.authorization()));
    for (NodeAnswer answer : answers) {
      if (answer != null && answer.ok()) {
        return answer;
      }
    }
    return noJobAnswer(answers, "no node answered the cancel");
  }

  private static Instant startedAt(JsonNode job) {
    try {
      return Instant.parse(job.path("startedAt").asString(""));
    } catch (DateTimeParseException e) {
      return Instant.MIN;
    }
  }

  /** A node's own refusal (401, 404, 409) if one gave it, else 503. */
  private static NodeAnswer noJobAnswer(List<NodeAnswer> answers, String detail) {
    for (NodeAnswer answer : answers) {
      if (answer != null && !answer.retryable()) {
        return answer;
      }
    }
    NodeAnswer problem = problem(503, "Service Unavailable", detail);
    return new NodeAnswer(problem.status(), problem.contentType(), "1", problem.body());
  }

  private NodeAnswer write(int shard, Function<URI, HttpRequest.Builder> request, Caller caller) {
    NodeCalls.ShardResult result =
        nodes.oneShard(shard, base -> withAuth(request.apply(base), caller.authorization()));
    if (!result.answered()) {
      return unavailable(
          result, "no replica of shard " + shard + " accepted the write: " + result.failure());
    }
    return result.answer();
  }

  /**
   * The one shard all of {@code request}'s items belong to; null when they span several (or there
   * are none, which shard 0's node refuses as any node would).
   */
  private Integer shardOfItems(JsonNode request) {
    TreeSet<Integer> shards = new TreeSet<>();
    for (JsonNode item : request.path("items")) {
      JsonNode id = item.get("id");
      if (id != null && id.isString()) {
        shards.add(shardOf.shardOf(id.asString()));
      }
    }
    if (shards.isEmpty()) {
      return 0;
    }
    return shards.size() == 1 ? shards.first() : null;
  }

  private NodeAnswer oneShardOnly(JsonNode request) {
    TreeSet<Integer> shards = new TreeSet<>();
    request.path("items").forEach(item -> shards.add(shardOf.shardOf(item.path("id").asString())));
    return problem(
        400,
        "Bad Request",
        "a write through the router holds items of one shard (each write is one commit on one"
            + " shard); these items belong to shards "
            + shards
            + ": send one request per shard");
  }

  private static NodeAnswer unavailable(NodeCalls.ShardResult result, String detail) {
    if (result.answer() != null) {
      return result.answer(); // the last replica's own 5xx (e.g. 503 with Retry-After)
    }
    NodeAnswer problem = problem(503, "Service Unavailable", detail);
    return new NodeAnswer(problem.status(), problem.contentType(), "1", problem.body());
  }

  private static HttpRequest.Builder withAuth(HttpRequest.Builder request, String authorization) {
    return authorization == null ? request : request.header("Authorization", authorization);
  }

  private static URI withQuery(URI uri, String query) {
    return query == null || query.isEmpty() ? uri : URI.create(uri + "?" + query);
  }

  static NodeAnswer problem(int status, String title, String detail) {
    ObjectNode problem = JSON.createObjectNode();
    problem.put("type", "about:blank");
    problem.put("title", title);
    problem.put("status", status);
    problem.put("detail", detail);
    return new NodeAnswer(status, PROBLEM, null, JSON.writeValueAsBytes(problem));
  }
}
