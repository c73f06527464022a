package dev.pipit.index;

/**
 * A write would take the payloads of the live entries past the index's budget ({@link
 * IndexOptions#maxPayloadBytes}). Nothing was changed; deletes (and smaller replacements) still
 * work and free budget. Maps to HTTP 507.
 */
public final class PayloadBudgetExceededException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final long usedBytes;
  private final long budgetBytes;

  PayloadBudgetExceededException(long usedBytes, long addedBytes, long budgetBytes) {
    super(
        "the write would add "
            + addedBytes
            + " payload bytes to the "
            + usedBytes
            + " held; the index's payload budget is "
            + budgetBytes
            + " bytes");
    this.usedBytes = usedBytes;
    this.budgetBytes = budgetBytes;
  }

  /** Payload bytes the live entries (and writes in flight) hold. */
  public long usedBytes() {
    return usedBytes;
  }

  /** The budget in bytes. */
  public long budgetBytes() {
    return budgetBytes;
  }
}
