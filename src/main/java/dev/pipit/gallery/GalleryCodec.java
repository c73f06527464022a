package dev.pipit.gallery;

import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns {@link GalleryPayload}s into index payload bytes (JSON) and back, and holds the per-item
 * limits on what a payload may carry (the index keeps payloads in memory).
 */
public final class GalleryCodec {

  /** Longest label, in chars. */
  public static final int MAX_LABEL_CHARS = 256;

  /** Largest metadata, in bytes of its JSON. */
  public static final int MAX_METADATA_BYTES = 16 * 1024;

  private final JsonMapper json = JsonMapper.builder().build();

  /**
   * Checks an item's label and metadata against the per-item limits.
   *
   * @throws IllegalArgumentException if the label is longer than {@value #MAX_LABEL_CHARS} chars
   * @throws PayloadTooLargeException if the metadata is over {@value #MAX_METADATA_BYTES} bytes
   */
  public void checkLimits(String id, String label, Map<String, String> metadata) {
    if (label != null && label.length() > MAX_LABEL_CHARS) {
      throw new IllegalArgumentException(
          "item " + id + ": label is " + label.length() + " chars; at most " + MAX_LABEL_CHARS);
    }
    if (metadata != null && !metadata.isEmpty()) {
      int bytes = json.writeValueAsBytes(metadata).length;
      if (bytes > MAX_METADATA_BYTES) {
        throw new PayloadTooLargeException(
            "item "
                + id
                + ": metadata is "
                + bytes
                + " bytes of JSON; at most "
                + MAX_METADATA_BYTES);
      }
    }
  }

  /** The payload bytes of an item without a kept original. */
  public byte[] write(String label, Map<String, String> metadata) {
    return write(new GalleryPayload(label, metadata));
  }

  /** The payload bytes of an item. */
  public byte[] write(GalleryPayload payload) {
    Map<String, String> metadata = payload.metadata() == null ? Map.of() : payload.metadata();
    return json.writeValueAsBytes(new GalleryPayload(payload.label(), metadata, payload.image()));
  }

  /** Reads payload bytes (empty: no label, no metadata). */
  public GalleryPayload read(byte[] payload) {
    return payload == null || payload.length == 0
        ? new GalleryPayload(null, Map.of())
        : json.readValue(payload, GalleryPayload.class);
  }
}
