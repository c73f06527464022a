package dev.pipit.gallery;

/**
 * A radius search would return more hits than one search may (max-k): the API answers 400 instead
 * of dumping the gallery.
 */
public final class SearchTooBroadException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public SearchTooBroadException(String message) {
    super(message);
  }
}
