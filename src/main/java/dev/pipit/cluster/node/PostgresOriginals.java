package dev.pipit.cluster.node;

import dev.pipit.gallery.ImageTypes;
import dev.pipit.gallery.SharedOriginals;
import java.util.Optional;

/** A cluster's kept originals in PostgreSQL ({@code pipit_originals}), by content. */
public final class PostgresOriginals implements SharedOriginals {

  private final ClusterStore store;

  public PostgresOriginals(ClusterStore store) {
    this.store = store;
  }

  @Override
  public void put(String sha256, byte[] bytes) {
    store.putOriginal(sha256, ImageTypes.sniff(bytes).orElse("application/octet-stream"), bytes);
  }

  @Override
  public Optional<byte[]> get(String sha256) {
    return store.original(sha256).map(ClusterStore.StoredOriginal::bytes);
  }
}
