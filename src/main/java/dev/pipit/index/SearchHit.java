package dev.pipit.index;

/**
 * One search result. Results are ordered by distance, then by insertion order (an upsert counts as
 * a new insertion), on every search path.
 *
 * @param id the entry's external id
 * @param distance Hamming distance to the query
 * @param payload the entry's payload (a copy), or {@code null} when it has none
 */
public record SearchHit(String id, int distance, byte[] payload) {}
