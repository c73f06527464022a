package dev.pipit.gallery;

import java.time.Duration;

/** The work of a request did not finish within the request timeout (the API answers 503). */
public final class RequestTimeoutException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public RequestTimeoutException(Duration timeout) {
    super("the request did not finish within " + timeout.toMillis() + " ms; try again later");
  }
}
