package dev.pipit.config;

import dev.pipit.cluster.node.ClusterNode;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Readiness of a cluster node ({@code replication} in {@code /readyz}): DOWN until its replica has
 * caught up with the change log once since start (a fresh replica must not answer searches with a
 * partial shard), then UP with the applied and head sequences and the lag. PostgreSQL going away
 * later leaves it UP: the node keeps answering searches from memory, writes answer 503.
 */
class ReplicationHealthIndicator implements HealthIndicator {

  private final ClusterNode node;

  ReplicationHealthIndicator(ClusterNode node) {
    this.node = node;
  }

  @Override
  public Health health() {
    Health.Builder health = node.ready() ? Health.up() : Health.down();
    return health.withDetails(node.replicationDetails()).build();
  }
}
