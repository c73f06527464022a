package dev.pipit.index;

/**
 * Told what an index did, for metrics: once per pass over the codes, per group commit and per
 * snapshot, never per code. Called on the thread that did the work; implementations must be cheap
 * and must not throw.
 */
public interface IndexListener {

  /** Listens to nothing. */
  IndexListener NONE = new IndexListener() {};

  /** How a pass found its candidates. */
  enum Pass {
    /** A linear scan for one query. */
    LINEAR("linear"),
    /** One linear scan shared by several queries (coalesced searches or a batch). */
    BATCHED("batched"),
    /** Multi-index hashing (with its short scan of the codes not yet in the tables). */
    MULTI_INDEX("multi-index");

    private final String tag;

    Pass(String tag) {
      this.tag = tag;
    }

    /** The name metrics use. */
    public String tag() {
      return tag;
    }
  }

  /** One search pass over the index took {@code nanos}. */
  default void scanned(Pass pass, long nanos) {}

  /** One shared pass (coalesced searches, or a batch request) answered {@code queries} queries. */
  default void sharedPass(int queries) {}

  /** The log wrote one group of buffered records to its segment in {@code nanos}. */
  default void logWritten(long nanos) {}

  /** One fsync of the log took {@code nanos} and made {@code records} records durable. */
  default void logSynced(long nanos, long records) {}

  /** A snapshot of {@code bytes} bytes was written in {@code nanos}. */
  default void snapshotWritten(long nanos, long bytes) {}
}
