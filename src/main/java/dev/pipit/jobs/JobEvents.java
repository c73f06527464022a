package dev.pipit.jobs;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans job changes out to event-stream subscribers without ever making the publisher (the training
 * thread) wait: each subscriber has a bounded queue drained by its own virtual thread, which does
 * the (possibly blocking) I/O. A subscriber whose queue is full has stopped keeping up and is
 * dropped. Progress-only changes are thinned to one per {@code minInterval} per subscriber; state
 * changes and finished iterations always go out. The number of subscribers is capped globally and
 * per job.
 */
public final class JobEvents {

  private static final Logger log = LoggerFactory.getLogger(JobEvents.class);

  private final JobLimits limits;
  private final Duration minInterval;
  private final Map<String, List<Subscription>> byJob = new ConcurrentHashMap<>();
  private int open;

  /**
   * @param limits stream caps and the per-subscriber buffer
   * @param minInterval least time between two progress-only events to one subscriber
   */
  public JobEvents(JobLimits limits, Duration minInterval) {
    this.limits = limits;
    this.minInterval = minInterval;
  }

  /** One subscriber: close it when the client goes away. */
  public final class Subscription implements AutoCloseable {

    private final String jobId;
    private final BlockingQueue<TrainJob> queue;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean dropped;
    private long lastProgressNanos = Long.MIN_VALUE;
    private int lastIterations = -1;
    private TrainJob.State lastState;

    private Subscription(String jobId) {
      this.jobId = jobId;
      this.queue = new ArrayBlockingQueue<>(limits.streamBuffer());
    }

    /** Whether it was dropped for not keeping up. */
    public boolean dropped() {
      return dropped;
    }

    /** Whether it ended (closed, dropped, or its job finished). */
    public boolean closed() {
      return closed.get();
    }

    /** Called by the publisher: never blocks. */
    synchronized void offer(TrainJob job) {
      if (closed.get()) {
        return;
      }
      long now = System.nanoTime();
      boolean important =
          job.state() != lastState
              || job.iterations().size() != lastIterations
              || job.state().finished();
      if (!important && now - lastProgressNanos < minInterval.toNanos()) {
        return;
      }
      if (!queue.offer(job)) {
        dropped = true;
        log.info(
            "event stream on job {} dropped: its client fell {} events behind",
            jobId,
            queue.size());
        close();
        return;
      }
      lastProgressNanos = now;
      lastState = job.state();
      lastIterations = job.iterations().size();
    }

    private void drain(Consumer<TrainJob> sink, Runnable onEnd) {
      try {
        while (!closed.get()) {
          TrainJob job = queue.poll(200, TimeUnit.MILLISECONDS);
          if (job == null) {
            continue;
          }
          sink.accept(job);
          if (job.state().finished()) {
            break;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.debug("event stream on job {} failed: {}", jobId, e.toString());
      } finally {
        close();
        onEnd.run();
      }
    }

    /** Ends the subscription; events still queued are discarded. Idempotent. */
    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        synchronized (JobEvents.this) {
          List<Subscription> list = byJob.get(jobId);
          if (list != null && list.remove(this)) {
            open--;
            if (list.isEmpty()) {
              byJob.remove(jobId);
            }
          }
        }
      }
    }
  }

  /**
   * Subscribes to a job's changes: {@code sink} is called with each on a virtual thread of the
   * subscription's own (it may block on I/O); {@code onEnd} runs once when the subscription ends,
   * for whatever reason (job finished, dropped, closed, sink failed).
   *
   * @throws JobsBusyException if the global or per-job cap on subscribers is reached
   */
  public Subscription subscribe(String jobId, Consumer<TrainJob> sink, Runnable onEnd) {
    Subscription s = new Subscription(jobId);
    synchronized (this) {
      if (open >= limits.maxStreams()) {
        throw new JobsBusyException(
            "too many event streams open (" + limits.maxStreams() + ")", Duration.ofSeconds(5));
      }
      List<Subscription> list = byJob.computeIfAbsent(jobId, k -> new CopyOnWriteArrayList<>());
      if (list.size() >= limits.maxStreamsPerJob()) {
        throw new JobsBusyException(
            "too many event streams open on job " + jobId + " (" + limits.maxStreamsPerJob() + ")",
            Duration.ofSeconds(5));
      }
      list.add(s);
      open++;
    }
    Thread.ofVirtual().name("pipit-job-events-" + jobId).start(() -> s.drain(sink, onEnd));
    return s;
  }

  /** Hands {@code job} to every subscriber of it, without blocking. */
  public void publish(TrainJob job) {
    for (Subscription s : byJob.getOrDefault(job.id(), List.of())) {
      s.offer(job);
    }
  }

  /** Subscribers open now, over all jobs. */
  public synchronized int open() {
    return open;
  }
}
