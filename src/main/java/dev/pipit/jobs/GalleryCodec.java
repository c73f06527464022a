package dev.pipit.jobs;

import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** Turns {@link GalleryPayload}s into index payload bytes (JSON) and back. */
public final class GalleryCodec {

  private final JsonMapper json = JsonMapper.builder().build();

  /** The payload bytes of an item. */
  public byte[] write(String label, Map<String, String> metadata) {
    return json.writeValueAsBytes(new GalleryPayload(label, metadata == null ? Map.of() : metadata));
  }

  /** Reads payload bytes (empty: no label, no metadata). */
  public GalleryPayload read(byte[] payload) {
    return payload == null || payload.length == 0
        ? new GalleryPayload(null, Map.of())
        : json.readValue(payload, GalleryPayload.class);
  }
}
