package dev.pipit.cluster.node;

import java.time.Instant;

/**
 * One row of the change log, in sequence order. {@code item} is set for {@link Op#UPSERT}; {@code
 * modelId} for {@link Op#ACTIVATE}; a {@link Op#DELETE} carries the id only.
 */
public record Change(
    long sequence, Op op, String id, ItemWrite item, String modelId, Instant committedAt) {

  /** What a change does. */
  public enum Op {
    UPSERT,
    DELETE,
    ACTIVATE
  }
}
