package dev.pipit.index;

import java.time.Instant;

/**
 * A point-in-time summary of an index, for metrics and the API, grouped by concern.
 *
 * @param size live entries
 * @param bits code length
 * @param tombstones deleted or replaced entries not yet compacted away
 * @param memory what the index holds in memory
 * @param search how searches were answered
 * @param durability how far the write-ahead log has got, and whether its storage takes writes
 * @param payloads payload memory against the budget
 * @param maintenance snapshots and compactions
 */
public record IndexStats(
    int size,
    int bits,
    int tombstones,
    Memory memory,
    Search search,
    Durability durability,
    Payloads payloads,
    Maintenance maintenance) {

  /**
   * Memory held by the index.
   *
   * @param hotBytes bytes of the arrays every scan reads: packed codes plus one {@code long} per
   *     entry, as allocated (slack included)
   * @param hotBytesPerEntryRatio {@code hotBytes / (slots × (8 × words + 4))}: allocated hot memory
   *     over the ideal of packed code bytes plus 8 bytes per stored entry (live or tombstoned)
   * @param mihBytes bytes of the multi-index hash tables (0 when not built)
   */
  public record Memory(long hotBytes, double hotBytesPerEntryRatio, long mihBytes) {}

  /**
   * Search paths taken since open.
   *
   * @param kernel the popcount kernel in use ({@code scalar} or {@code panama-<bits>})
   * @param batchKernel the body of batched scans of one-word codes ({@code bitsliced} or {@code
   *     popcount}, see {@link BatchKernelChoice})
   * @param batchKernelReason why: {@code cpu-features}, {@code default} (flags unreadable), {@code
   *     setting} or {@code no-vector-api}
   * @param strategy the configured search strategy
   * @param linearSearches k-NN searches answered by the linear scan
   * @param mihSearches k-NN searches answered by multi-index hashing
   * @param mihFallbacks multi-index searches abandoned for the scan because they would not pay
   * @param batchedQueries queries answered through {@link HammingIndex#searchBatch}
   * @param coalescedSearches {@link HammingIndex#search} calls answered in a pass shared with
   *     concurrent ones
   * @param radiusSearches radius searches
   * @param ndis candidates checked exactly by multi-index hashing (faiss's {@code ndis})
   */
  public record Search(
      String kernel,
      String batchKernel,
      String batchKernelReason,
      SearchStrategy strategy,
      long linearSearches,
      long mihSearches,
      long mihFallbacks,
      long batchedQueries,
      long coalescedSearches,
      long radiusSearches,
      long ndis) {}

  /**
   * The write-ahead log's progress (an in-memory index reports every mutation as durable).
   *
   * @param lastSeq sequence number of the last mutation
   * @param durableSeq sequence number of the last mutation known to be on disk (= lastSeq in
   *     memory)
   * @param fsyncs fsyncs of the write-ahead log
   * @param tornBytesTruncated bytes cut off a torn log tail at the last open
   * @param storageFailed the log's storage refuses writes now (see {@link StorageHealth})
   * @param storageFailures failed writes or fsyncs since open
   * @param lastStorageFailure what the disk said the last time (null if never)
   * @param storageFailedSince when the current failed state began (null while healthy)
   */
  public record Durability(
      long lastSeq,
      long durableSeq,
      long fsyncs,
      long tornBytesTruncated,
      boolean storageFailed,
      long storageFailures,
      String lastStorageFailure,
      Instant storageFailedSince) {}

  /**
   * Payload memory.
   *
   * @param usedBytes payload bytes of the live entries
   * @param budgetBytes the most they may hold ({@link IndexOptions#maxPayloadBytes})
   * @param deadBytes payload bytes of replaced or deleted entries, freed by the next compaction
   */
  public record Payloads(long usedBytes, long budgetBytes, long deadBytes) {}

  /**
   * Background upkeep since open.
   *
   * @param compactions compactions run since open
   * @param snapshots snapshots written since open (by {@link HammingIndex#snapshot} or the policy)
   * @param lastSnapshotSeq sequence number the newest snapshot includes (0 if none)
   * @param lastSnapshotTime when the newest snapshot was written; {@code null} if none
   */
  public record Maintenance(
      long compactions, long snapshots, long lastSnapshotSeq, Instant lastSnapshotTime) {}
}
