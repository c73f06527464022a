package dev.pipit.gallery;

import java.util.List;

/**
 * Where the gallery's writes go and how a search waits for them: the embedded index in standalone
 * mode ({@link LocalGalleryWrites}), PostgreSQL and the replica fed by its change log on a cluster
 * node. The controllers see only this seam, so the two modes share every route.
 */
public interface GalleryWrites {

  /**
   * What an index request did.
   *
   * @param indexed the per-item outcomes
   * @param sequence the change-log sequence of the commit on a cluster node, null in standalone
   */
  record Written(GalleryItems.Indexed indexed, Long sequence) {}

  /** Indexes (upserts) {@code items}; see {@link GalleryItems#index}. */
  Written index(List<GalleryItems.Item> items);

  /**
   * Deletes the item {@code id}.
   *
   * @return the change-log sequence of the delete on a cluster node, null in standalone
   * @throws dev.pipit.index.UnknownIdException if there is none
   */
  Long delete(String id);

  /**
   * Read-your-writes: returns once this process's gallery holds every write up to {@code
   * minSequence} (null: at once). Standalone has no sequences and sees its writes at once.
   */
  void awaitSequence(Long minSequence);

  /**
   * Whether code searches order equal distances by id ({@link GallerySearch#byCodeTiesById}): a
   * cluster node does, so the router merges shards exactly; standalone keeps insertion order.
   */
  default boolean tiesById() {
    return false;
  }
}
