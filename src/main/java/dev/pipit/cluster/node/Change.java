package dev.pipit.cluster.node;

import java.time.Instant;

/**
 * One row of the change log, in sequence order. {@code item} is set for {@link Op#UPSERT}; {@code
 * modelId} for {@link Op#ACTIVATE}, with {@code modelBits}, the activated model's code length (0
 * where unknown); a {@link Op#DELETE} carries the id only.
 */
public record Change(
    long sequence,
    Op op,
    String id,
    ItemWrite item,
    String modelId,
    Instant committedAt,
    int modelBits) {

  /** A change that activates nothing, or an activation whose code length is not known. */
  public Change(
      long sequence, Op op, String id, ItemWrite item, String modelId, Instant committedAt) {
    this(sequence, op, id, item, modelId, committedAt, 0);
  }

  /** What a change does. */
  public enum Op {
    UPSERT,
    DELETE,
    ACTIVATE
  }
}
