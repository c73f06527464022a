package dev.pipit.cluster.router;

import java.util.Optional;

/**
 * What a node answered: its status, content type and body, passed on unchanged when it is a client
 * error (a problem+json stays the node's problem).
 *
 * @param status HTTP status
 * @param contentType its Content-Type, or null
 * @param retryAfter its Retry-After, or null
 * @param body the response body
 */
public record NodeAnswer(int status, String contentType, String retryAfter, byte[] body) {

  boolean ok() {
    return status / 100 == 2;
  }

  /** A failure another replica may not share: the node or its shard is unwell, not the request. */
  boolean retryable() {
    return status >= 500 || status == 429;
  }

  Optional<String> retryAfterValue() {
    return Optional.ofNullable(retryAfter);
  }
}
