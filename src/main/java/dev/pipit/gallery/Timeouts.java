package dev.pipit.gallery;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for encoder futures on a request thread, up to the request timeout, unwrapping the real
 * failure.
 */
public final class Timeouts {

  private Timeouts() {}

  /**
   * The future's value.
   *
   * @throws RequestTimeoutException if it is not done within {@code timeout}
   */
  public static <T> T await(CompletableFuture<T> future, Duration timeout) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while encoding", e);
    } catch (TimeoutException e) {
      future.cancel(false);
      throw new RequestTimeoutException(timeout);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
