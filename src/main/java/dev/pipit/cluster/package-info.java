/**
 * Cluster mode (opt-in): PostgreSQL as the system of record that shard replicas tail, and a
 * stateless router that fans searches out to one replica per shard and merges them. Standalone (the
 * embedded write-ahead log) stays the default. docs/scaling.md describes the topology.
 */
package dev.pipit.cluster;
