package dev.pipit.cluster.node;

/**
 * PostgreSQL could not be reached or refused the write: nothing was committed, the client may retry
 * later (HTTP 503 with Retry-After).
 */
public final class StoreUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
