package dev.pipit.cluster.node;

/**
 * A change of the log that the replica could not apply (its code has another length than its
 * model's index, an id or payload the index refuses...). It is committed in PostgreSQL already, so
 * the tail cannot skip it: it stops there and readiness names it ({@link TailFailure}).
 */
public final class ChangeRefusedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final long sequence;
  private final String id;
  private final String reason;

  public ChangeRefusedException(Change change, Throwable cause) {
    super(
        "change "
            + change.sequence()
            + " ("
            + change.op()
            + " "
            + change.id()
            + ") refused: "
            + reasonOf(cause),
        cause);
    this.sequence = change.sequence();
    this.id = change.id();
    this.reason = reasonOf(cause);
  }

  public long sequence() {
    return sequence;
  }

  /** The item's id; null for an activation. */
  public String id() {
    return id;
  }

  public String reason() {
    return reason;
  }

  private static String reasonOf(Throwable cause) {
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
