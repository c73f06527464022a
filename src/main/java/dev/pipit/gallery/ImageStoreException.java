package dev.pipit.gallery;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The store of kept originals could not write an item's files (a disk fault). It concerns that item
 * only: the index request answers it with this reason and indexes the others.
 */
public final class ImageStoreException extends UncheckedIOException {

  private static final long serialVersionUID = 1L;

  public ImageStoreException(String message, IOException cause) {
    super(message + ": " + cause, cause);
  }
}
