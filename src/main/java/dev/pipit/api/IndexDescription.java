package dev.pipit.api;

import dev.pipit.gallery.GalleryItems;
import dev.pipit.gallery.ModelRef;
import dev.pipit.index.IndexStats;

/**
 * Response of {@code GET /v1/index}.
 *
 * @param model the model serving the gallery
 * @param size live items
 * @param bits code length
 * @param stats the index's memory, kernel, search counters and last snapshot
 * @param originals the store of kept originals
 */
record IndexDescription(ModelRef model, int size, int bits, IndexStats stats, Originals originals) {

  static IndexDescription of(GalleryItems.Overview o) {
    return new IndexDescription(
        o.model(),
        o.stats().size(),
        o.stats().bits(),
        o.stats(),
        new Originals(o.originals(), o.originalBytes(), o.maxOriginalBytes()));
  }

  /**
   * @param count kept originals
   * @param bytes bytes they and their thumbnails take
   * @param maxBytes the cap on those bytes
   */
  record Originals(int count, long bytes, long maxBytes) {}
}
