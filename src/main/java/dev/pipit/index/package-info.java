/**
 * The Hamming index: binary codes in memory, exact top-k and radius search, multi-index hashing, a
 * write-ahead log and snapshots. Depends on the JDK ({@code jdk.incubator.vector} when present) and
 * the slf4j API only.
 *
 * <h2>API</h2>
 *
 * {@link dev.pipit.index.HammingIndex} is the facade: {@code open(dir, options)} or {@code
 * inMemory(options)}, then {@code add/upsert/upsertAll/delete/get}, {@code search(query, k)},
 * {@code searchRadius(query, r)}, {@code searchBatch(queries, k)}, {@code snapshot()}, {@code
 * compact()}, {@code stats()}, {@code close()}. Codes are {@link dev.pipit.index.Code} values (hex
 * and base64 text forms). Results are {@link dev.pipit.index.SearchHit}s ordered by (distance,
 * insertion order); an upsert counts as a new insertion. Exceptions map to HTTP: {@link
 * dev.pipit.index.InvalidCodeException} and {@link dev.pipit.index.InvalidRequestException} → 400,
 * {@link dev.pipit.index.UnknownIdException} → 404, {@link dev.pipit.index.DuplicateIdException}
 * and {@link dev.pipit.index.IndexMismatchException} → 409.
 *
 * <p>Behind the facade, one job per class: {@code WritePath} (log append, apply, publish), {@code
 * SearchDispatch} (searches and lookups on the newest view), {@code Snapshotter} and {@code
 * MaintenanceScheduler} (snapshots, compaction and multi-index hash builds, each through a {@code
 * BackgroundTask} that runs at most once at a time), {@code StatsAssembler}, {@code DirectoryLock}
 * and {@code Recovery} (snapshot load and log replay at open). {@code Generation} holds the entries
 * between two compactions and the put/delete rules that live writes and replay share.
 *
 * <h2>Memory</h2>
 *
 * Hot data, read by every scan, off the heap in {@code MemorySegment} chunks of 2^20 entries that
 * never move once full (so no 2^31-long cap): the codes ({@code LongChunks}, column-blocked by 8
 * codes, see {@code CodeLayout}) and one {@code int} per entry ({@code DeathMarks}: its death
 * sequence relative to the generation's base, for tombstones and snapshot isolation; a generation
 * is compacted onto a later base before 2^32 sequences pass). Storage grows by 1/8 (only the last,
 * partial chunk is copied), so hot memory stays within 1.125 × (8 × words + 4) bytes per entry plus
 * one block; {@link dev.pipit.index.IndexStats.Memory#hotBytesPerEntryRatio()} reports the actual
 * ratio. Cold data, touched only for results and lookups, is off the heap too: ids and payloads as
 * records in an append-only arena with a 4-byte offset per entry ({@code ColdStore}) and the id →
 * ordinal map as an open-addressing table of {@code int} slots ({@code IdTable}, 5 to 6.4 bytes per
 * entry), so the heap does not grow with the gallery. Ordinals are {@code int}s: 2^31 entries per
 * generation. Multi-index hashing, when built, adds {@code tables × (4 + 8 × words)} bytes per
 * entry plus {@code tables × 2^substringBits × 4} bytes of offsets ({@link
 * dev.pipit.index.IndexStats.Memory#mihBytes()}).
 *
 * <h2>Concurrency</h2>
 *
 * One writer at a time (a lock); searches never lock. Each mutation publishes an immutable view
 * (codes, count, sequence number) through a volatile field; an entry is visible in a view when it
 * was appended before it and its death sequence is later. Compaction builds a new generation under
 * the write lock and publishes it; searches on the old one finish undisturbed.
 *
 * <h2>Kernels</h2>
 *
 * {@code KernelProvider} picks the Panama (Vector API) kernel when {@code --add-modules
 * jdk.incubator.vector} is given and C2 is on, else the scalar one, logs the choice, and reports it
 * in {@link dev.pipit.index.IndexStats.Search#kernel()}. {@code -Dpipit.index.kernel=scalar|panama}
 * forces one. Batches of 8 or more queries over one-word codes (up to 64 bits) go through {@code
 * BitSlicedBatch} (tiles of 256 codes transposed into bit-planes in a scratch buffer, summed by
 * carry-save adders) or through the vector popcount bodies, chosen per machine by {@link
 * dev.pipit.index.BatchKernelChoice}: the popcount bodies where the CPU has AVX-512 VPOPCNTDQ, the
 * bit-sliced one elsewhere and when the CPU's flags are unreadable; {@code
 * -Dpipit.index.batch=bitsliced|popcount} overrides it.
 *
 * <h2>Durability</h2>
 *
 * A write is applied, visible and acknowledged once its log record is durable ({@link
 * dev.pipit.index.FsyncPolicy}); one the disk refused changes nothing and is never recovered
 * ({@link dev.pipit.index.WritePath}, {@link dev.pipit.index.WriteAheadLog}). Payloads of live
 * entries share a budget enforced on writes, never on recovery. The {@link
 * dev.pipit.index.SnapshotPolicy} snapshots a durable index in the background after N records, N
 * log bytes or T since the last snapshot; each snapshot rolls the log, and segments covered by the
 * older of the two kept snapshots are deleted.
 */
package dev.pipit.index;
