package dev.pipit.metrics;

import dev.pipit.cluster.node.ClusterNode;
import dev.pipit.cluster.node.ReplicaSnapshots;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * {@code pipit_cluster_replication_lag_records}, {@code pipit_cluster_replication_lag_seconds} and
 * {@code pipit_cluster_replication_applied_sequence} (docs/metrics.md): how far a cluster node's
 * replica is behind the change log of its shard; and {@code pipit_cluster_snapshot_*}: its local
 * snapshots. Registered only in a node process.
 */
public final class ReplicationMeters {

  private final Instant started = Instant.now();

  public ReplicationMeters(ClusterNode node, MeterRegistry registry) {
    Gauge.builder("pipit.cluster.replication.lag.records", node, n -> n.lag().records())
        .description("Change-log records of this node's shard it has not applied yet")
        .strongReference(true)
        .register(registry);
    Gauge.builder("pipit.cluster.replication.lag.seconds", node, n -> n.lag().seconds())
        .description("Age of the oldest change-log record this node has not applied yet")
        .strongReference(true)
        .register(registry);
    Gauge.builder("pipit.cluster.replication.applied.sequence", node, n -> n.lag().applied())
        .description("The change-log sequence this node's replica has applied up to")
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            "pipit.cluster.snapshot.last.sequence", node, n -> n.snapshotStatus().lastSequence())
        .description("Sequence the newest local replica snapshot holds (the restored one's)")
        .strongReference(true)
        .register(registry);
    Gauge.builder("pipit.cluster.snapshot.age", node, n -> age(n.snapshotStatus()))
        .description("Time since the newest local replica snapshot (since start when none)")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            "pipit.cluster.snapshot.last.duration", node, n -> n.snapshotStatus().lastSeconds())
        .description("Time the newest local replica snapshot took (copy and write)")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
    FunctionTimer.builder(
            "pipit.cluster.snapshot",
            node,
            n -> n.snapshotStatus().written(),
            n -> n.snapshotStatus().totalSeconds(),
            TimeUnit.SECONDS)
        .description("Local replica snapshots written since start, and the time they took")
        .register(registry);
    FunctionCounter.builder(
            "pipit.cluster.snapshot.failures", node, n -> n.snapshotStatus().failures())
        .description("Local replica snapshots that failed since start")
        .register(registry);
  }

  private double age(ReplicaSnapshots.Status status) {
    Instant last = status.lastAt() == null ? started : status.lastAt();
    return Duration.between(last, Instant.now()).toMillis() / 1000.0;
  }
}
