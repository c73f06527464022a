package dev.pipit.index;

/** How k-NN and radius searches find their candidates. Every strategy returns identical results. */
public enum SearchStrategy {
  /**
   * Multi-index hashing when it pays (large gallery, short codes, small radius), else a linear
   * scan.
   */
  AUTO,
  /** Always the linear scan (SIMD, threaded for large galleries). */
  LINEAR,
  /** Always multi-index hashing, built on demand; never falls back to the scan. */
  MIH
}
