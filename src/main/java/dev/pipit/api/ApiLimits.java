package dev.pipit.api;

/**
 * Request-size limits the controllers enforce (k, radius and the request timeout are the gallery
 * services' to check).
 *
 * @param maxItems largest number of items (or images of a batch search) one request may carry
 */
public record ApiLimits(int maxItems) {}
