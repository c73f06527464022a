package dev.pipit.gallery;

/**
 * A model switch would drop gallery items that have no kept original to re-encode, and the caller
 * did not accept that loss (the API answers 409 with the count).
 */
public final class ItemLossException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int withoutOriginal;
  private final int total;

  public ItemLossException(int withoutOriginal, int total) {
    super(
        withoutOriginal
            + " of "
            + total
            + " gallery items have no kept original (indexed by code, or past the originals cap)"
            + " and would be dropped by the switch; activate with acceptLoss=true to switch"
            + " anyway");
    this.withoutOriginal = withoutOriginal;
    this.total = total;
  }

  /** Items the switch would drop. */
  public int withoutOriginal() {
    return withoutOriginal;
  }

  /** Items in the gallery. */
  public int total() {
    return total;
  }
}
