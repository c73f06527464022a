package dev.pipit.cluster.node;

import dev.pipit.index.Code;
import java.util.Map;
import java.util.Objects;

/**
 * One item to write to the cluster store: its code under {@code modelId}, label, metadata and the
 * sha256 of its kept original (null when none was kept).
 */
public record ItemWrite(
    String id,
    String modelId,
    Code code,
    String label,
    Map<String, String> metadata,
    String original) {

  public ItemWrite {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(code, "code");
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }
}
