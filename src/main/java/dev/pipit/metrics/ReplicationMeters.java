package dev.pipit.metrics;

import dev.pipit.cluster.node.ClusterNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code pipit_cluster_replication_lag_records}, {@code pipit_cluster_replication_lag_seconds} and
 * {@code pipit_cluster_replication_applied_sequence} (docs/metrics.md): how far a cluster node's
 * replica is behind the change log of its shard; registered only in a node process.
 */
public final class ReplicationMeters {

  public ReplicationMeters(ClusterNode node, MeterRegistry registry) {
    Gauge.builder("pipit.cluster.replication.lag.records", node, n -> n.lag().records())
        .description("Change-log records of this node's shard it has not applied yet")
        .register(registry);
    Gauge.builder("pipit.cluster.replication.lag.seconds", node, n -> n.lag().seconds())
        .description("Age of the oldest change-log record this node has not applied yet")
        .register(registry);
    Gauge.builder("pipit.cluster.replication.applied.sequence", node, n -> n.lag().applied())
        .description("The change-log sequence this node's replica has applied up to")
        .register(registry);
  }
}
