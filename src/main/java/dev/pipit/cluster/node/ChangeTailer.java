package dev.pipit.cluster.node;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the change log of one shard into a {@link ChangeSink}: catches up by sequence in batches,
 * then waits for a NOTIFY (a wake-up only; a missed one costs at most {@code poll}) and catches up
 * again. When PostgreSQL is unreachable it keeps what it has applied and retries; nothing is lost
 * because the position is the sequence, not the notification.
 */
public final class ChangeTailer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChangeTailer.class);

  private final ClusterStore store;
  private final Supplier<Connection> listenConnections;
  private final int shard;
  private final ChangeSink sink;
  private final int batchSize;
  private final Duration poll;
  private final Thread thread;

  private final Object progress = new Object();
  // Held while a batch is applied; whilePaused holds it to see the replica at one sequence.
  private final Object applying = new Object();
  // Notified to end a retry's back-off early (wake()).
  private final Object backoff = new Object();
  private volatile long applied;
  private volatile long head;
  private volatile Instant lastAppliedCommit;
  private volatile boolean connected;
  private volatile TailFailure failure; // null while the last attempt succeeded
  private volatile long changesApplied;
  private volatile boolean caughtUpOnce;
  private volatile boolean running = true;

  /**
   * @param listenConnections opens a fresh connection for LISTEN (kept open while it works)
   * @param startAfter the sequence already applied to {@code sink} (a local snapshot's, or 0)
   */
  public ChangeTailer(
      ClusterStore store,
      Supplier<Connection> listenConnections,
      int shard,
      ChangeSink sink,
      long startAfter,
      int batchSize,
      Duration poll) {
    this.store = store;
    this.listenConnections = listenConnections;
    this.shard = shard;
    this.sink = sink;
    this.applied = startAfter;
    this.head = startAfter;
    this.batchSize = batchSize;
    this.poll = poll;
    this.thread = Thread.ofPlatform().daemon().name("pipit-tailer-" + shard).unstarted(this::run);
  }

  public ChangeTailer start() {
    thread.start();
    return this;
  }

  public long appliedSequence() {
    return applied;
  }

  public long headSequence() {
    return head;
  }

  public long lagRecords() {
    return Math.max(0, head - applied);
  }

  /** Seconds since the commit of the last applied change while behind; 0 when caught up. */
  public double lagSeconds() {
    Instant at = lastAppliedCommit;
    if (applied >= head || at == null) {
      return 0;
    }
    return Math.max(0, Duration.between(at, Instant.now()).toMillis() / 1000.0);
  }

  /** Whether PostgreSQL answered the last attempt. */
  public boolean connected() {
    return connected;
  }

  /** Why the last attempt failed; empty while the tail works. */
  public Optional<TailFailure> failure() {
    return Optional.ofNullable(failure);
  }

  /** Changes applied since start (every shard's activations included). */
  public long changesApplied() {
    return changesApplied;
  }

  /** Whether the tailer has reached the head it saw at least once since start (readiness). */
  public boolean caughtUp() {
    return caughtUpOnce;
  }

  /** Waits until {@code sequence} is applied; false if {@code timeout} passes first. */
  public boolean awaitApplied(long sequence, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (applied < sequence) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        progress.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  /** Work done with no batch being applied, given the sequence applied meanwhile. */
  public interface PausedWork<T> {
    T run(long appliedSequence) throws IOException;
  }

  /** Runs {@code work} between two batches (e.g. a snapshot that must match its sequence). */
  public <T> T whilePaused(PausedWork<T> work) throws IOException {
    synchronized (applying) {
      return work.run(applied);
    }
  }

  private void run() {
    Connection listen = null;
    long backoffMillis = 100;
    while (running) {
      try {
        if (listen == null) {
          listen = listenConnections.get();
          try (Statement s = listen.createStatement()) {
            s.execute("LISTEN " + ClusterStore.CHANNEL);
          }
        }
        catchUp();
        connected = true;
        failure = null;
        backoffMillis = 100;
        // Blocks until a notification arrives or poll passes; the payload is not needed.
        listen.unwrap(PGConnection.class).getNotifications((int) poll.toMillis());
      } catch (SQLException | RuntimeException e) {
        if (!running) {
          break;
        }
        TailFailure now = TailFailure.of(e);
        if (!now.equals(failure)) {
          log.warn("change log tail of shard {} stopped: {}", shard, now);
        }
        failure = now;
        // Only a connection failure means PostgreSQL is away; it answered the others.
        connected = !(now instanceof TailFailure.Unreachable);
        closeQuietly(listen);
        listen = null;
        sleep(backoffMillis);
        backoffMillis = Math.min(5_000, backoffMillis * 2);
      }
    }
    closeQuietly(listen);
  }

  private void catchUp() {
    while (running) {
      // Read before the changes: every sequence up to it has committed (appends commit in
      // sequence order), so once this shard's changes are read to the end, the replica holds
      // everything up to it and a read-your-writes wait for another shard's write may end.
      long global = store.lastSequence();
      connected = true;
      head = Math.max(head, store.headSequence(shard));
      List<Change> batch = store.changesAfter(shard, applied, batchSize);
      boolean end = batch.size() < batchSize;
      synchronized (applying) {
        long reached = applied;
        if (!batch.isEmpty()) {
          sink.apply(batch);
          changesApplied += batch.size();
          lastAppliedCommit = batch.getLast().committedAt();
          reached = batch.getLast().sequence();
        }
        if (end) {
          reached = Math.max(reached, global);
          head = Math.max(head, reached);
        }
        synchronized (progress) {
          applied = reached;
          // readiness before the waiters wake: whoever saw its sequence applied sees it ready
          caughtUpOnce = caughtUpOnce || (end && applied >= head);
          progress.notifyAll();
        }
      }
      if (end) {
        return;
      }
    }
  }

  /** Ends a retry's back-off now: a write just committed, so PostgreSQL is back. */
  public void wake() {
    synchronized (backoff) {
      backoff.notifyAll();
    }
  }

  private void sleep(long millis) {
    synchronized (backoff) {
      try {
        backoff.wait(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // The connection is already gone; a fresh one is opened on the next attempt.
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
