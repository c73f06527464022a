package dev.pipit.gallery;

import dev.pipit.encode.EncoderOverloadedException;
import dev.pipit.encode.ImageDecodeException;
import dev.pipit.encode.ImageEncoder;
import java.util.function.Supplier;

/**
 * Tells the {@link GalleryListener} how each search ended and where its query encodings spent their
 * time.
 */
final class SearchObserver {

  private final GalleryListener listener;

  SearchObserver(GalleryListener listener) {
    this.listener = listener;
  }

  /** Runs a search, telling the listener how it ended. */
  <T> T observed(GalleryListener.Kind kind, Supplier<T> search) {
    T result;
    try {
      result = search.get();
    } catch (RuntimeException e) {
      listener.searched(kind, outcome(e));
      throw e;
    }
    listener.searched(kind, GalleryListener.Outcome.OK);
    return result;
  }

  private GalleryListener.Outcome outcome(RuntimeException e) {
    if (e instanceof IllegalArgumentException
        || e instanceof ImageDecodeException
        || e instanceof PayloadTooLargeException) {
      return GalleryListener.Outcome.CLIENT_ERROR;
    }
    if (e instanceof EncoderOverloadedException) {
      return GalleryListener.Outcome.REJECTED;
    }
    if (e instanceof RequestTimeoutException) {
      listener.timedOut();
      return GalleryListener.Outcome.TIMEOUT;
    }
    return GalleryListener.Outcome.ERROR;
  }

  /**
   * The encoding's stages, laid end to end before {@code arrived} (when the request saw the
   * result): decode, then the wait for a batch, then the forward pass.
   */
  void reportEncoding(ImageEncoder.Result encoded, long arrived) {
    long encodeStart = arrived - encoded.forwardNanos();
    long queueStart = encodeStart - encoded.queueNanos();
    listener.stage(
        GalleryListener.Stage.DECODE, queueStart - encoded.decodeNanos(), encoded.decodeNanos());
    listener.stage(GalleryListener.Stage.QUEUE, queueStart, encoded.queueNanos());
    listener.stage(GalleryListener.Stage.ENCODE, encodeStart, encoded.forwardNanos());
  }
}
