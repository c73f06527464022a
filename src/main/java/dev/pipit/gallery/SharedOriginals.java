package dev.pipit.gallery;

import java.util.Optional;

/**
 * Kept originals every process of a cluster reaches (a node keeps them in PostgreSQL): what a node
 * wrote, any replica can serve. Each process still caches them in its own {@link ImageStore} (with
 * their thumbnails); this is where a miss there is looked up.
 */
public interface SharedOriginals {

  /** Keeps {@code bytes} under their sha-256; keeping the same bytes again changes nothing. */
  void put(String sha256, byte[] bytes);

  /** The original with this sha-256, if one was kept. */
  Optional<byte[]> get(String sha256);
}
