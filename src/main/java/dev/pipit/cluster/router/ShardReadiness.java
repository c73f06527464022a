package dev.pipit.cluster.router;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The router's readiness ({@code shards} in /readyz): UP when at least one replica of every shard
 * answers its own /readyz with 200; the details say how many replicas of each shard are ready.
 */
public final class ShardReadiness implements HealthIndicator {

  private final ShardReplicas replicas;
  private final Duration timeout;
  private final HttpClient client;

  public ShardReadiness(ShardReplicas replicas, Duration timeout) {
    this.replicas = replicas;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public Health health() {
    Map<String, Object> details = new LinkedHashMap<>();
    boolean up = true;
    for (int shard = 0; shard < replicas.shards(); shard++) {
      int ready = 0;
      for (URI replica : replicas.replicas(shard)) {
        if (ready(replica)) {
          ready++;
        }
      }
      details.put("shard" + shard, ready + "/" + replicas.replicas(shard).size() + " ready");
      up &= ready > 0;
    }
    return (up ? Health.up() : Health.down()).withDetails(details).build();
  }

  private boolean ready(URI replica) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(replica.resolve("readyz")).timeout(timeout).GET().build();
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
