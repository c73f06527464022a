package dev.pipit.api;

import java.time.Duration;

/**
 * Request limits the controllers enforce.
 *
 * @param maxK largest k a search may ask for
 * @param maxItems largest number of items (or images of a batch search) one request may carry
 * @param requestTimeout longest a request waits for its encodings before answering 503
 */
public record ApiLimits(int maxK, int maxItems, Duration requestTimeout) {}
