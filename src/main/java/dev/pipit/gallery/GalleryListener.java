package dev.pipit.gallery;

/**
 * Told what searches, indexing and model switches did, for metrics and traces: once per request
 * stage, per search and per switch, on the request's own thread (so that a trace's current span is
 * the request's). Implementations must be cheap and must not throw.
 */
public interface GalleryListener {

  /** Listens to nothing. */
  GalleryListener NONE = new GalleryListener() {};

  /** Where a search's time goes. */
  enum Stage {
    /** Decoding and preprocessing the image (on the decode pool). */
    DECODE("decode"),
    /** Waiting for an encoder batch and worker. */
    QUEUE("queue"),
    /** The forward pass of the image's batch. */
    ENCODE("encode"),
    /** Asking the index for the nearest candidates. */
    SCAN("scan"),
    /** Reading the candidates' payloads and filtering them into hits. */
    HYDRATE("hydrate");

    private final String tag;

    Stage(String tag) {
      this.tag = tag;
    }

    /** The name metrics and spans use. */
    public String tag() {
      return tag;
    }
  }

  /** What was searched with. */
  enum Kind {
    IMAGE("image"),
    CODE("code"),
    BATCH("batch");

    private final String tag;

    Kind(String tag) {
      this.tag = tag;
    }

    /** The name metrics use. */
    public String tag() {
      return tag;
    }
  }

  /** How a search ended. */
  enum Outcome {
    OK("ok"),
    /** Bad input: a 4xx other than 429. */
    CLIENT_ERROR("client-error"),
    /** The encoder or decode queue was full (429). */
    REJECTED("rejected"),
    /** The encodings took longer than the request timeout (503). */
    TIMEOUT("timeout"),
    /** Anything else (no model serving, a failed forward pass). */
    ERROR("error");

    private final String tag;

    Outcome(String tag) {
      this.tag = tag;
    }

    /** The name metrics use. */
    public String tag() {
      return tag;
    }
  }

  /**
   * One stage of one search ran from {@code startNanos} ({@link System#nanoTime()}) for {@code
   * nanos}.
   */
  default void stage(Stage stage, long startNanos, long nanos) {}

  /** A search request ended. */
  default void searched(Kind kind, Outcome outcome) {}

  /** One query of a search returned {@code hits} hits. */
  default void results(int hits) {}

  /**
   * A label-filtered search found fewer than k matches among its candidate window while the gallery
   * holds more items than the window: a wider re-fetch would be needed to be exact.
   */
  default void labelWindowExhausted() {}

  /** A request gave up waiting for its encodings (503). */
  default void timedOut() {}

  /** A model switch ended after {@code nanos}. */
  default void switchEnded(ModelSwitch.State state, long nanos) {}
}
