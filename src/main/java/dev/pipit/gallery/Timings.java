package dev.pipit.gallery;

/** The stage timings a search reports in its result. */
final class Timings {

  private Timings() {}

  /** {@code nanos} in milliseconds, rounded to two decimals. */
  static double millis(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }
}
