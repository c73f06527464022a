package dev.pipit.gallery;

import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** Turns {@link GalleryPayload}s into index payload bytes (JSON) and back. */
public final class GalleryCodec {

  private final JsonMapper json = JsonMapper.builder().build();

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
