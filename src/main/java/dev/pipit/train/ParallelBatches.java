package dev.pipit.train;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decode and augmentation of training images on parallel workers with bounded, ordered prefetch:
 * the part of a training step that would starve a GPU if it ran on the training thread.
 *
 * <pre>
 *   submit(batch k)  ─▶ [ up to `prefetch` batches in flight, each image a task on `workers`
 *                        threads, its augmentation drawn from its own seed ]
 *   next()           ◀─ batch k's images in submission order (blocks until all are done)
 * </pre>
 *
 * <p><b>Deterministic for a seed, whatever the worker count</b>: every image gets its own seed,
 * derived from its batch's seed and its position ({@link #imageSeed}), so which thread runs it and
 * when does not matter; nor does how many batches this pipeline prepared before (a resumed run sees
 * the images the uninterrupted one saw). <b>Backpressure</b>: at most {@code prefetch} batches are
 * in flight ({@link #submit} refuses more until {@link #next} takes one), so memory stays bounded
 * whatever the workers' pace. <b>Errors</b> of a worker are rethrown by {@link #next} for the batch
 * they belong to. <b>Shutdown</b>: {@link #close} cancels what is queued, interrupts running tasks
 * and waits for the workers to end.
 */
public final class ParallelBatches implements AutoCloseable {

  /** One image's work: decode item {@code item}, augment it from {@code seed}, return its input. */
  @FunctionalInterface
  public interface ImageTask {
    float[] apply(int item, long seed) throws Exception;
  }

  private final ImageTask task;
  private final int prefetch;
  private final ExecutorService workers;
  private final Deque<Future<float[]>[]> inFlight = new ArrayDeque<>();

  /**
   * @param task per-image decode + augmentation
   * @param workers threads (≥ 1)
   * @param prefetch batches that may be submitted and not yet taken (≥ 1)
   */
  public ParallelBatches(ImageTask task, int workers, int prefetch) {
    if (workers < 1 || prefetch < 1) {
      throw new IllegalArgumentException(
          "need workers >= 1 and prefetch >= 1, got " + workers + " and " + prefetch);
    }
    this.task = task;
    this.prefetch = prefetch;
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            workers, workers, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemonThreads());
    // Idle workers end, so a pipeline that is dropped without close() holds no threads.
    pool.allowCoreThreadTimeOut(true);
    this.workers = pool;
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "pipit-data-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * The seed of position {@code position} of a batch whose seed is {@code seed}: a SplitMix64 mix,
   * so that neighbouring images get unrelated streams.
   */
  public static long imageSeed(long seed, int position) {
    long z = seed + 0x9E3779B97F4A7C15L * (position + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Queues the images of one batch (the submitting thread is also the taker, so a blocking submit
   * could only deadlock: it is refused instead, see {@link #hasRoom}).
   *
   * @param items dataset indices, in batch order
   * @param seed the batch's augmentation seed (each image's is derived from it and its position)
   * @throws IllegalStateException if {@code prefetch} batches are already waiting
   */
  @SuppressWarnings("unchecked")
  public synchronized void submit(int[] items, long seed) {
    if (inFlight.size() >= prefetch) {
      throw new IllegalStateException(
          prefetch + " batches are already in flight; take one with next() first");
    }
    Future<float[]>[] futures = new Future[items.length];
    for (int i = 0; i < items.length; i++) {
      int item = items[i];
      long s = imageSeed(seed, i);
      futures[i] = workers.submit(() -> task.apply(item, s));
    }
    inFlight.addLast(futures);
  }

  /** Whether another batch may be submitted without exceeding the prefetch bound. */
  public synchronized boolean hasRoom() {
    return inFlight.size() < prefetch;
  }

  /** Batches submitted and not yet taken. */
  public synchronized int pending() {
    return inFlight.size();
  }

  /**
   * The oldest submitted batch's images, in item order, each a {@code float[]} network input.
   *
   * @throws IllegalStateException if nothing was submitted
   * @throws DataPipelineException wrapping the first failure of one of its images
   * @throws InterruptedException if interrupted while waiting
   */
  public float[][] next() throws InterruptedException {
    Future<float[]>[] futures;
    synchronized (this) {
      futures = inFlight.pollFirst();
    }
    if (futures == null) {
      throw new IllegalStateException("no batch was submitted");
    }
    float[][] images = new float[futures.length][];
    try {
      for (int i = 0; i < futures.length; i++) {
        images[i] = futures[i].get();
      }
    } catch (ExecutionException e) {
      for (Future<float[]> f : futures) {
        f.cancel(true);
      }
      throw new DataPipelineException(
          "decoding or augmenting a training image failed", e.getCause());
    } catch (CancellationException e) {
      throw new DataPipelineException("the data pipeline was closed", e);
    }
    return images;
  }

  /** Cancels queued images, interrupts running ones and waits (briefly) for the workers to end. */
  @Override
  public void close() {
    synchronized (this) {
      for (Future<float[]>[] batch : inFlight) {
        for (Future<float[]> f : batch) {
          f.cancel(true);
        }
      }
      inFlight.clear();
    }
    workers.shutdownNow();
    try {
      workers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A worker's failure, rethrown on the training thread for the batch it belongs to. */
  public static final class DataPipelineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DataPipelineException(String message, Throwable cause) {
      super(message + ": " + cause, cause);
    }
  }
}
