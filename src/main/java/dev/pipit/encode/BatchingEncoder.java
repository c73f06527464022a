package dev.pipit.encode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Encodes preprocessed images with dynamic batching: requests wait in a bounded queue, and each
 * worker (one per {@link EncoderBackend}, i.e. one predictor per thread) takes the oldest request
 * plus whatever else arrives within {@code maxWait} of it, up to {@code maxBatch}, and runs one
 * forward pass for all.
 *
 * <p>Workers are platform threads on purpose: JNI calls into the engine pin virtual threads, so
 * inference runs on this bounded pool while request threads (virtual) only wait on futures. A full
 * queue rejects at once with {@link EncoderOverloadedException} rather than letting latency grow
 * without bound.
 */
public final class BatchingEncoder implements AutoCloseable {

  /** What one forward pass did, for metrics. */
  public record BatchEvent(int size, long forwardNanos, long oldestQueueNanos, boolean failed) {}

  private static final long CLOSE_POLL_MILLIS = 50;

  private final List<EncoderBackend> backends;
  private final EncoderOptions options;
  private final BlockingQueue<Request> queue;
  private final List<Thread> workers = new ArrayList<>();
  private final Consumer<BatchEvent> observer;
  private final int bits;
  private final int inputLength;
  private final AtomicLong submitted = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong images = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong forwardNanos = new AtomicLong();
  private volatile boolean closed;

  /**
   * Starts one worker per backend.
   *
   * @param backends at least one; all must agree on bits and input length
   * @param options batching and queue limits
   * @param observer called after every forward pass (on the worker thread); keep it cheap
   */
  public BatchingEncoder(
      List<? extends EncoderBackend> backends,
      EncoderOptions options,
      Consumer<BatchEvent> observer) {
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("at least one backend is needed");
    }
    this.backends = List.copyOf(backends);
    this.options = options;
    this.observer = observer;
    this.bits = backends.getFirst().bits();
    this.inputLength = backends.getFirst().inputLength();
    for (EncoderBackend backend : backends) {
      if (backend.bits() != bits || backend.inputLength() != inputLength) {
        throw new IllegalArgumentException("backends disagree on bits or input length");
      }
    }
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
    for (int i = 0; i < this.backends.size(); i++) {
      EncoderBackend backend = this.backends.get(i);
      workers.add(
          Thread.ofPlatform().name("pipit-encoder-" + i).daemon().start(() -> work(backend)));
    }
  }

  public BatchingEncoder(List<? extends EncoderBackend> backends, EncoderOptions options) {
    this(backends, options, event -> {});
  }

  /**
   * Queues one preprocessed image.
   *
   * @param input {@link #inputLength()} floats (CHW)
   * @return completes with the encoding, or exceptionally if the forward pass fails
   * @throws EncoderOverloadedException if the queue is full
   */
  public CompletableFuture<Encoded> submit(float[] input) {
    if (input.length != inputLength) {
      throw new IllegalArgumentException(
          "input has " + input.length + " floats, the network takes " + inputLength);
    }
    if (closed) {
      throw new IllegalStateException("encoder is closed");
    }
    Request request = new Request(input, System.nanoTime(), new CompletableFuture<>());
    if (!queue.offer(request)) {
      rejected.incrementAndGet();
      throw new EncoderOverloadedException(options.queueCapacity(), retryAfter());
    }
    submitted.incrementAndGet();
    return request.result;
  }

  /** Time the queue ahead is expected to take, from the mean forward time per image so far. */
  private Duration retryAfter() {
    long done = images.get();
    long perImage = done == 0 ? 100_000_000L : forwardNanos.get() / done;
    long millis = perImage * queue.size() / backends.size() / 1_000_000L;
    return Duration.ofMillis(Math.max(100, millis));
  }

  private void work(EncoderBackend backend) {
    List<Request> batch = new ArrayList<>(options.maxBatch());
    try {
      while (collect(batch)) {
        run(backend, batch);
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      batch.forEach(
          r -> r.result.completeExceptionally(new CancellationException("encoder closed")));
    }
  }

  /**
   * Waits for the oldest request, then gathers more until the batch is full or its wait is over.
   * Returns false once the encoder is closed and nothing was gathered. Polls rather than blocking
   * forever so that {@link #close()} never has to interrupt a forward pass in native code.
   */
  private boolean collect(List<Request> batch) throws InterruptedException {
    Request first = null;
    while (first == null) {
      if (closed) {
        return false;
      }
      first = queue.poll(CLOSE_POLL_MILLIS, TimeUnit.MILLISECONDS);
    }
    batch.add(first);
    long deadline = first.enqueuedNanos + options.maxWait().toNanos();
    while (batch.size() < options.maxBatch()) {
      long remaining = deadline - System.nanoTime();
      Request next = remaining > 0 ? queue.poll(remaining, TimeUnit.NANOSECONDS) : queue.poll();
      if (next == null) {
        break;
      }
      batch.add(next);
    }
    return true;
  }

  private void run(EncoderBackend backend, List<Request> batch) {
    batch.removeIf(r -> r.result.isDone()); // the caller gave up (timeout, cancel): skip the work
    if (batch.isEmpty()) {
      return;
    }
    int n = batch.size();
    long start = System.nanoTime();
    float[] inputs = new float[n * inputLength];
    for (int i = 0; i < n; i++) {
      System.arraycopy(batch.get(i).input, 0, inputs, i * inputLength, inputLength);
    }
    long oldestWait = start - batch.getFirst().enqueuedNanos;
    try {
      float[][] outputs = backend.forward(inputs, n);
      long elapsed = System.nanoTime() - start;
      images.addAndGet(n);
      batches.incrementAndGet();
      forwardNanos.addAndGet(elapsed);
      for (int i = 0; i < n; i++) {
        Request r = batch.get(i);
        r.result.complete(new Encoded(outputs[i], start - r.enqueuedNanos, elapsed, n));
      }
      observer.accept(new BatchEvent(n, elapsed, oldestWait, false));
    } catch (RuntimeException e) {
      failed.addAndGet(n);
      batch.forEach(r -> r.result.completeExceptionally(e));
      observer.accept(new BatchEvent(n, System.nanoTime() - start, oldestWait, true));
    }
  }

  /** Code length of the network. */
  public int bits() {
    return bits;
  }

  /** Floats per preprocessed input. */
  public int inputLength() {
    return inputLength;
  }

  /** Counters since start. */
  public EncoderStats stats() {
    return new EncoderStats(
        queue.size(),
        options.queueCapacity(),
        backends.size(),
        submitted.get(),
        rejected.get(),
        failed.get(),
        images.get(),
        batches.get(),
        forwardNanos.get(),
        backends.getFirst().device());
  }

  /**
   * Stops taking requests, lets each worker finish the batch it is running, fails what is still
   * queued and closes the backends.
   */
  @Override
  public void close() {
    closed = true;
    for (Thread worker : workers) {
      try {
        worker.join(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<Request> left = new ArrayList<>();
    queue.drainTo(left);
    left.forEach(r -> r.result.completeExceptionally(new CancellationException("encoder closed")));
    backends.forEach(EncoderBackend::close);
  }

  private record Request(float[] input, long enqueuedNanos, CompletableFuture<Encoded> result) {}
}
