/**
 * Micrometer meter binders over the statistics that {@code index}, {@code encode} and {@code jobs}
 * expose. No feature package depends on it.
 */
package dev.pipit.metrics;
