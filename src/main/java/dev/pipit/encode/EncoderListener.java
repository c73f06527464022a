package dev.pipit.encode;

/**
 * Told what the image pipeline did, for metrics: once per forward pass (never per image) and once
 * per refused image. Called on the worker or request thread; implementations must be cheap and must
 * not throw.
 */
public interface EncoderListener {

  /** Listens to nothing. */
  EncoderListener NONE = new EncoderListener() {};

  /** Why an image was refused with 429. */
  enum Rejection {
    /** As many images as the encode queue holds are decoding or waiting to be encoded. */
    QUEUE_FULL("queue-full"),
    /** The decode pool's queue is full. */
    DECODE_QUEUE_FULL("decode-queue-full");

    private final String tag;

    Rejection(String tag) {
      this.tag = tag;
    }

    /** The name metrics use. */
    public String tag() {
      return tag;
    }
  }

  /** One forward pass ran (or failed). */
  default void batch(BatchingEncoder.BatchEvent event) {}

  /** An image was refused before decoding. */
  default void rejected(Rejection reason) {}
}
