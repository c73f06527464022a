package dev.pipit.api;

/**
 * Request limits the controllers enforce.
 *
 * @param maxK largest k a search may ask for
 * @param maxItems largest number of items one index request may carry
 */
public record ApiLimits(int maxK, int maxItems) {}
