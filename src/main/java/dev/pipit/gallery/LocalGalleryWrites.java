package dev.pipit.gallery;

import java.util.List;

/** Standalone mode's writes: straight into the served model's index and its write-ahead log. */
public final class LocalGalleryWrites implements GalleryWrites {

  private final GalleryItems items;

  public LocalGalleryWrites(GalleryItems items) {
    this.items = items;
  }

  @Override
  public Written index(List<GalleryItems.Item> list) {
    return new Written(items.index(list), null);
  }

  @Override
  public Long delete(String id) {
    items.delete(id);
    return null;
  }

  @Override
  public void awaitSequence(Long minSequence) {
    // one process, one index: every acknowledged write is already visible
  }
}
