/**
 * The Hamming index: packed codes, SIMD and scalar popcount kernels, top-k and multi-index hashing,
 * write-ahead log and snapshots. Depends on the JDK only.
 */
package dev.pipit.index;
