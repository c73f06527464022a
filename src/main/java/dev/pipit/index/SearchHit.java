package dev.pipit.index;

/**
 * One search result. Results are ordered by distance, then by insertion order (an upsert counts as
 * a new insertion), on every search path.
 *
 * @param id the entry's external id
 * @param distance Hamming distance to the query
 * @param payload the entry's payload (a copy), or {@code null} when it has none
 * @param code the entry's code, from the same state of the index as the distance (a search may
 *     reorder equal-distance hits by it, e.g. against a query's real-valued network output)
 */
public record SearchHit(String id, int distance, byte[] payload, Code code) {}
