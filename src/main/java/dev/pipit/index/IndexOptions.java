package dev.pipit.index;

import java.nio.charset.StandardCharsets;

/**
 * How an index is opened.
 *
 * @param bits code length, 1 to {@value Code#MAX_BITS}; files written for another length are
 *     refused
 * @param modelFingerprint identifies the model that produced the codes (e.g. a weights hash); files
 *     written for another model are refused
 * @param fsync when the write-ahead log is forced to disk
 * @param strategy linear scan, multi-index hashing, or automatic choice
 * @param threads most threads one linear scan uses (large galleries only); 1 to disable
 * @param snapshots when a durable index snapshots itself in the background
 * @param maxCoalesced most concurrent k-NN searches answered together in one pass over the codes
 *     ({@link HammingIndex#search}); 1 answers each alone
 * @param maxPayloadBytes most payload bytes the live entries may hold together (writes past it are
 *     refused with {@link PayloadBudgetExceededException}; replay at open never is)
 */
public record IndexOptions(
    int bits,
    String modelFingerprint,
    FsyncPolicy fsync,
    SearchStrategy strategy,
    int threads,
    SnapshotPolicy snapshots,
    int maxCoalesced,
    long maxPayloadBytes) {

  /**
   * The default payload budget: a quarter of the maximum heap, so that payloads alone can never
   * exhaust it (codes, ids and the service need the rest).
   */
  public static long defaultMaxPayloadBytes() {
    return Runtime.getRuntime().maxMemory() / 4;
  }

  /**
   * Searches per shared pass by default: the bit-sliced kernel's best batch with its scratch in L1.
   */
  public static final int DEFAULT_MAX_COALESCED = 64;

  /** Validates the options. */
  public IndexOptions {
    Code.wordsFor(bits); // throws InvalidCodeException for a length out of range
    if (modelFingerprint == null
        || modelFingerprint.isEmpty()
        || modelFingerprint.getBytes(StandardCharsets.UTF_8).length
            > FileHeader.MAX_FINGERPRINT_BYTES) {
      throw new InvalidRequestException(
          "model fingerprint must be 1.." + FileHeader.MAX_FINGERPRINT_BYTES + " bytes");
    }
    if (fsync == null || strategy == null || snapshots == null) {
      throw new InvalidRequestException(
          "fsync policy, search strategy and snapshot policy are required");
    }
    if (threads < 1 || threads > 1024) {
      throw new InvalidRequestException("threads must be 1..1024, got " + threads);
    }
    if (maxCoalesced < 1 || maxCoalesced > 1024) {
      throw new InvalidRequestException("maxCoalesced must be 1..1024, got " + maxCoalesced);
    }
    if (maxPayloadBytes < 0) {
      throw new InvalidRequestException("maxPayloadBytes must be >= 0, got " + maxPayloadBytes);
    }
  }

  /** With the {@linkplain #defaultMaxPayloadBytes() default payload budget}. */
  public IndexOptions(
      int bits,
      String modelFingerprint,
      FsyncPolicy fsync,
      SearchStrategy strategy,
      int threads,
      SnapshotPolicy snapshots,
      int maxCoalesced) {
    this(
        bits,
        modelFingerprint,
        fsync,
        strategy,
        threads,
        snapshots,
        maxCoalesced,
        defaultMaxPayloadBytes());
  }

  /** With {@value #DEFAULT_MAX_COALESCED} searches per shared pass at most. */
  public IndexOptions(
      int bits,
      String modelFingerprint,
      FsyncPolicy fsync,
      SearchStrategy strategy,
      int threads,
      SnapshotPolicy snapshots) {
    this(bits, modelFingerprint, fsync, strategy, threads, snapshots, DEFAULT_MAX_COALESCED);
  }

  /** With the {@linkplain SnapshotPolicy#defaults() default snapshot policy}. */
  public IndexOptions(
      int bits, String modelFingerprint, FsyncPolicy fsync, SearchStrategy strategy, int threads) {
    this(bits, modelFingerprint, fsync, strategy, threads, SnapshotPolicy.defaults());
  }

  /**
   * Defaults: group commit within 5 ms, {@link SearchStrategy#AUTO}, one thread per available
   * processor, {@link SnapshotPolicy#defaults()}, up to {@value #DEFAULT_MAX_COALESCED} concurrent
   * searches per pass.
   */
  public static IndexOptions of(int bits, String modelFingerprint) {
    return new IndexOptions(
        bits,
        modelFingerprint,
        FsyncPolicy.group(5),
        SearchStrategy.AUTO,
        Runtime.getRuntime().availableProcessors());
  }

  /** These options with another fsync policy. */
  public IndexOptions withFsync(FsyncPolicy policy) {
    return new IndexOptions(
        bits,
        modelFingerprint,
        policy,
        strategy,
        threads,
        snapshots,
        maxCoalesced,
        maxPayloadBytes);
  }

  /** These options with another search strategy. */
  public IndexOptions withStrategy(SearchStrategy searchStrategy) {
    return new IndexOptions(
        bits,
        modelFingerprint,
        fsync,
        searchStrategy,
        threads,
        snapshots,
        maxCoalesced,
        maxPayloadBytes);
  }

  /** These options with another thread count. */
  public IndexOptions withThreads(int searchThreads) {
    return new IndexOptions(
        bits,
        modelFingerprint,
        fsync,
        strategy,
        searchThreads,
        snapshots,
        maxCoalesced,
        maxPayloadBytes);
  }

  /** These options with another snapshot policy. */
  public IndexOptions withSnapshots(SnapshotPolicy policy) {
    return new IndexOptions(
        bits, modelFingerprint, fsync, strategy, threads, policy, maxCoalesced, maxPayloadBytes);
  }

  /** These options with another most searches per shared pass (1: each search alone). */
  public IndexOptions withMaxCoalesced(int searches) {
    return new IndexOptions(
        bits, modelFingerprint, fsync, strategy, threads, snapshots, searches, maxPayloadBytes);
  }

  /** These options with another payload budget in bytes. */
  public IndexOptions withMaxPayloadBytes(long bytes) {
    return new IndexOptions(
        bits, modelFingerprint, fsync, strategy, threads, snapshots, maxCoalesced, bytes);
  }
}
