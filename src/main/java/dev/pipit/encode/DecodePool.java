package dev.pipit.encode;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The decode stage: a few platform threads (about one per core) and a bounded queue in front of
 * them. Decoding untrusted images is CPU-bound and can take seconds; run on request (virtual)
 * threads it would occupy the carrier threads every request shares, {@code /livez} included. Here
 * at most {@code threads} images decode at once, at most {@code queueCapacity} wait, and a full
 * queue rejects at once with {@link EncoderOverloadedException} (HTTP 429 + Retry-After).
 */
public final class DecodePool implements AutoCloseable {

  private final ThreadPoolExecutor executor;
  private final int threads;
  private final int queueCapacity;
  private final AtomicLong decoded = new AtomicLong();
  private final AtomicLong decodeNanos = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();

  /**
   * @param threads decoding threads; 0 = one per available core
   * @param queueCapacity decodes that may wait for a thread; more are rejected
   */
  public DecodePool(int threads, int queueCapacity) {
    if (threads < 0 || queueCapacity < 1) {
      throw new IllegalArgumentException(
          "threads must be >= 0 and queue capacity >= 1: " + threads + ", " + queueCapacity);
    }
    this.threads = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    this.queueCapacity = queueCapacity;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            this.threads,
            this.threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queueCapacity),
            r ->
                Thread.ofPlatform()
                    .name("pipit-decode-" + n.getAndIncrement())
                    .daemon()
                    .unstarted(r),
            new ThreadPoolExecutor.AbortPolicy());
  }

  /**
   * Queues {@code task}; it is skipped if the returned future is already done (the caller gave up)
   * when a thread takes it.
   *
   * @throws EncoderOverloadedException if {@code queueCapacity} tasks are already waiting
   */
  public <T> CompletableFuture<T> submit(Supplier<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            if (result.isDone()) {
              return;
            }
            long start = System.nanoTime();
            try {
              result.complete(task.get());
            } catch (RuntimeException | Error e) {
              result.completeExceptionally(e);
            } finally {
              decodeNanos.addAndGet(System.nanoTime() - start);
              decoded.incrementAndGet();
            }
          });
    } catch (RejectedExecutionException e) {
      rejected.incrementAndGet();
      throw new EncoderOverloadedException(
          "decode queue is full (" + queueCapacity + " waiting)", retryAfter());
    }
    return result;
  }

  /** Time the queue ahead is expected to take, from the mean decode time so far. */
  private Duration retryAfter() {
    long done = decoded.get();
    long perImage = done == 0 ? 100_000_000L : decodeNanos.get() / done;
    long millis = perImage * executor.getQueue().size() / threads / 1_000_000L;
    return Duration.ofMillis(Math.max(100, millis));
  }

  /** Decoding threads. */
  public int threads() {
    return threads;
  }

  /** Decodes waiting for a thread now. */
  public int waiting() {
    return executor.getQueue().size();
  }

  /** Decodes refused because the queue was full, since start. */
  public long rejected() {
    return rejected.get();
  }

  /** Stops the threads; waiting decodes are dropped (their callers time out or are gone). */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
