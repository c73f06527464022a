package dev.pipit.api;

import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Turns {@link GalleryPayload}s into index payload bytes (JSON) and back. */
@Component
class GalleryCodec {

  private final JsonMapper json = JsonMapper.builder().build();

  byte[] write(String label, Map<String, String> metadata) {
    return json.writeValueAsBytes(new GalleryPayload(label, metadata == null ? Map.of() : metadata));
  }

  GalleryPayload read(byte[] payload) {
    return payload == null || payload.length == 0
        ? new GalleryPayload(null, Map.of())
        : json.readValue(payload, GalleryPayload.class);
  }
}
