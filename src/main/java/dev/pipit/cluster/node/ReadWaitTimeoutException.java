package dev.pipit.cluster.node;

/** A search asked for a sequence this node had not applied within the read wait (HTTP 504). */
public final class ReadWaitTimeoutException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ReadWaitTimeoutException(long wanted, long applied) {
    super(
        "this node has applied the change log up to "
            + applied
            + ", not yet "
            + wanted
            + "; retry, or ask another replica");
  }
}
