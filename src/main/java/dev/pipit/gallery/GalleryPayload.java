package dev.pipit.gallery;

import java.util.Map;

/**
 * What the index stores beside each code (as JSON in the entry's payload).
 *
 * @param label class label, or null
 * @param metadata free-form string metadata
 * @param image sha-256 of the kept original in the {@link ImageStore}, or null when none is kept
 *     (the item was indexed by code, or the store was full): such an item cannot be re-encoded by
 *     another model
 */
public record GalleryPayload(String label, Map<String, String> metadata, String image) {

  /** A payload without a kept original. */
  public GalleryPayload(String label, Map<String, String> metadata) {
    this(label, metadata, null);
  }
}
