package dev.pipit.index;

/** Reads the counters of the index's parts into one {@link IndexStats}. */
final class StatsAssembler {

  private final IndexOptions options;
  private final WritePath writes;
  private final SearchDispatch searches;
  private final WriteAheadLog wal; // null for an in-memory index
  private final Snapshotter snapshotter; // null for an in-memory index
  private final long tornBytes;

  StatsAssembler(
      IndexOptions options,
      WritePath writes,
      SearchDispatch searches,
      WriteAheadLog wal,
      Snapshotter snapshotter,
      long tornBytes) {
    this.options = options;
    this.writes = writes;
    this.searches = searches;
    this.wal = wal;
    this.snapshotter = snapshotter;
    this.tornBytes = tornBytes;
  }

  IndexStats stats() {
    View v = writes.view();
    return new IndexStats(
        v.liveCount(),
        options.bits(),
        v.tombstones,
        memory(v, searches.searcher().mihBytes()),
        search(),
        durability(v),
        new IndexStats.Payloads(v.livePayloadBytes, options.maxPayloadBytes(), v.deadPayloadBytes),
        maintenance());
  }

  static IndexStats.Memory memory(View v, long mihBytes) {
    long hot = v.codes.bytes() + v.deaths.bytes();
    double ideal = (double) v.count * (8 * v.generation.words + 4);
    return new IndexStats.Memory(hot, v.count == 0 ? 0 : hot / ideal, mihBytes);
  }

  private IndexStats.Search search() {
    Searcher s = searches.searcher();
    BatchKernelChoice batch = KernelProvider.batchChoice();
    return new IndexStats.Search(
        s.kernel.name(),
        batch.kernel(),
        batch.reason(),
        options.strategy(),
        s.linearSearches.sum(),
        s.mihSearches.sum(),
        s.mihFallbacks.sum(),
        s.batchedQueries.sum(),
        searches.coalesced(),
        s.radiusSearches.sum(),
        s.ndis.sum());
  }

  private IndexStats.Durability durability(View v) {
    if (wal == null) {
      return new IndexStats.Durability(v.seq, v.seq, 0, tornBytes, false, 0, null, null);
    }
    StorageHealth health = wal.health();
    return new IndexStats.Durability(
        v.seq,
        wal.durableSeq(),
        wal.fsyncCount(),
        tornBytes,
        health.failed(),
        health.failures(),
        health.lastReason(),
        health.failedSince());
  }

  private IndexStats.Maintenance maintenance() {
    return snapshotter == null
        ? new IndexStats.Maintenance(writes.compactions(), 0, 0, null)
        : new IndexStats.Maintenance(
            writes.compactions(),
            snapshotter.count(),
            snapshotter.lastSeq(),
            snapshotter.lastTime());
  }
}
