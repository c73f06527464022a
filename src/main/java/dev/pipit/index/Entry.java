package dev.pipit.index;

/**
 * An entry of the index.
 *
 * @param id external id, 1 to {@value HammingIndex#MAX_ID_BYTES} bytes of UTF-8
 * @param code the binary code
 * @param payload opaque bytes stored and returned with the entry (e.g. label and metadata as JSON),
 *     at most {@value HammingIndex#MAX_PAYLOAD_BYTES} bytes, or {@code null}
 */
public record Entry(String id, Code code, byte[] payload) {}
