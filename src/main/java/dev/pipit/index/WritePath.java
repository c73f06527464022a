package dev.pipit.index;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The single-writer side of the index. A write is visible (to searches, lookups and size) only once
 * it is durable, and a write the log could not make durable changes nothing:
 *
 * <ol>
 *   <li>under one lock, the write is checked against the state including writes still in flight
 *       ({@link #pendingById}), its payload against the budget, and its records appended to the
 *       write-ahead log as one batch; it joins the {@link #pending} queue, unapplied;
 *   <li>outside the lock, the writer waits for the log's group commit (several writers share one
 *       fsync);
 *   <li>under the lock again, every pending write the log reports durable is applied to the {@link
 *       Generation} in sequence order and a new {@link View} published (by whichever waiter comes
 *       first). If the log dropped records after a failure, the pending writes past its last kept
 *       record are discarded, and their writers get the {@link StorageFailureException}: memory and
 *       the published view stay exactly as they were, and the log hands their sequence numbers out
 *       again (it never writes a dropped record later).
 * </ol>
 *
 * Owns the open/closed state, since a closed index must refuse writes at the same point where they
 * are serialized.
 */
final class WritePath {

  /** One caller's write in flight: its records, and what became of them. */
  private static final class Write {
    final List<LogRecord> records;
    final long payloadDelta; // change of live payload bytes once applied
    final long epoch; // the log's epoch at append
    boolean applied;
    boolean dropped;

    Write(List<LogRecord> records, long payloadDelta, long epoch) {
      this.records = records;
      this.payloadDelta = payloadDelta;
      this.epoch = epoch;
    }

    long lastSeq() {
      return records.getLast().seq();
    }
  }

  private final WriteAheadLog wal; // null for an in-memory index
  private final long maxPayloadBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Write> pending = new ArrayDeque<>(); // appended, not applied; under lock
  private final Map<String, LogRecord> pendingById =
      new HashMap<>(); // newest pending record per id
  private long pendingPayloadDelta; // sum over pending writes; under lock
  private long walEpoch; // the log epoch this path has reconciled with; under lock
  private Generation generation; // written under lock
  private long lastSeq; // last sequence number handed out; written under lock
  private volatile View view;
  private volatile boolean closed;
  private volatile long compactions; // written under lock

  WritePath(Recovery.State state, WriteAheadLog wal, long maxPayloadBytes) {
    this.wal = wal;
    this.maxPayloadBytes = maxPayloadBytes;
    this.generation = state.generation();
    this.lastSeq = state.lastSeq();
    this.view = generation.publish(lastSeq);
    this.walEpoch = wal == null ? 0 : wal.epoch();
  }

  /**
   * Logs puts of entries already checked by the caller, waits until they are durable, then applies
   * them (visible from then on).
   *
   * @throws DuplicateIdException if {@code replace} is false and the first entry's id is present
   * @throws PayloadBudgetExceededException if the payloads would pass the budget
   * @throws StorageFailureException if the log could not make them durable (nothing changed)
   */
  void put(List<Entry> checked, boolean replace) {
    Write write;
    lock.lock();
    try {
      checkOpen();
      reconcile();
      if (!replace && contains(checked.getFirst().id())) {
        throw new DuplicateIdException(
            "id '" + checked.getFirst().id() + "' is already in the index");
      }
      List<LogRecord> records = new ArrayList<>(checked.size());
      Map<String, Integer> batch = new HashMap<>();
      long delta = 0;
      for (Entry e : checked) {
        Integer before = batch.get(e.id());
        int old = before != null ? before : payloadBytesOf(e.id());
        int bytes = Generation.payloadLength(e.payload());
        delta += bytes - old;
        batch.put(e.id(), bytes);
        records.add(
            LogRecord.put(lastSeq + records.size() + 1, e.id(), e.code().words(), e.payload()));
      }
      long used = generation.livePayloadBytes + pendingPayloadDelta;
      if (delta > 0 && used + delta > maxPayloadBytes) {
        throw new PayloadBudgetExceededException(used, delta, maxPayloadBytes);
      }
      write = log(records, delta);
    } finally {
      lock.unlock();
    }
    awaitApplied(write);
  }

  /**
   * Logs the delete of {@code id}, waits until it is durable, then applies it.
   *
   * @throws UnknownIdException if no entry has this id
   * @throws StorageFailureException if the log could not make it durable (nothing changed)
   */
  void delete(String id) {
    Write write;
    lock.lock();
    try {
      checkOpen();
      reconcile();
      if (!contains(id)) {
        throw new UnknownIdException("no entry with id '" + id + "'");
      }
      write = log(List.of(LogRecord.delete(lastSeq + 1, id)), -payloadBytesOf(id));
    } finally {
      lock.unlock();
    }
    awaitApplied(write);
  }

  /** Appends the records (one batch) and queues them unapplied; under the lock. */
  private Write log(List<LogRecord> records, long payloadDelta) {
    long epoch = wal == null ? 0 : wal.appendAll(records, walEpoch);
    Write write = new Write(records, payloadDelta, epoch);
    lastSeq = write.lastSeq();
    pending.addLast(write);
    pendingPayloadDelta += payloadDelta;
    for (LogRecord r : records) {
      pendingById.put(r.id(), r);
    }
    if (wal == null) {
      applyThrough(lastSeq); // nothing to wait for
    }
    return write;
  }

  /** Waits for the log, then settles the pending writes; throws if {@code write} was dropped. */
  private void awaitApplied(Write write) {
    Throwable waitFailure = null;
    if (wal != null && !write.applied) {
      try {
        wal.awaitDurable(write.lastSeq(), write.epoch);
      } catch (RuntimeException | Error e) {
        waitFailure = e;
      }
    }
    lock.lock();
    try {
      reconcile();
    } finally {
      lock.unlock();
    }
    if (write.applied) {
      return;
    }
    if (waitFailure instanceof RuntimeException e) {
      throw e;
    }
    if (waitFailure instanceof Error e) {
      throw e;
    }
    throw write.dropped ? wal.failureException() : new IllegalStateException("the index is closed");
  }

  /**
   * Under the lock: applies the pending writes the log reports durable, in order, and publishes
   * them; then, if the log dropped records since the last call, discards the pending writes it no
   * longer holds (their sequence numbers are handed out again).
   */
  private void reconcile() {
    if (wal == null) {
      return;
    }
    applyThrough(wal.durableSeq());
    long epoch = wal.epoch();
    if (epoch == walEpoch) {
      return;
    }
    long kept = wal.appendedSeq(); // after a drop: its durable sequence number
    applyThrough(kept);
    for (Write w : pending) {
      w.dropped = true;
    }
    pending.clear();
    pendingById.clear();
    pendingPayloadDelta = 0;
    lastSeq = kept;
    walEpoch = epoch;
  }

  /** Applies the pending writes up to {@code seq} and publishes the result; under the lock. */
  private void applyThrough(long seq) {
    boolean any = false;
    while (!pending.isEmpty() && pending.getFirst().lastSeq() <= seq) {
      Write w = pending.removeFirst();
      for (LogRecord r : w.records) {
        generation = Recovery.apply(generation, r);
        if (pendingById.get(r.id()) == r) {
          pendingById.remove(r.id());
        }
      }
      pendingPayloadDelta -= w.payloadDelta;
      w.applied = true;
      any = true;
    }
    if (any) {
      view =
          generation.publish(
              pending.isEmpty() ? lastSeq : pending.getFirst().records.getFirst().seq() - 1);
    }
  }

  /** Whether {@code id} is present once the writes in flight are applied; under the lock. */
  private boolean contains(String id) {
    LogRecord r = pendingById.get(id);
    return r != null ? r.op() == LogRecord.PUT : generation.contains(id);
  }

  /** Payload bytes of {@code id} once the writes in flight are applied; under the lock. */
  private int payloadBytesOf(String id) {
    LogRecord r = pendingById.get(id);
    if (r != null) {
      return r.op() == LogRecord.PUT ? Generation.payloadLength(r.payload()) : 0;
    }
    return generation.payloadBytesOf(id);
  }

  /** Payload bytes of the live entries (as published; writes in flight not counted). */
  long payloadBytes() {
    return view.livePayloadBytes;
  }

  /** Payload bytes of replaced and deleted entries kept until the next compaction. */
  long deadPayloadBytes() {
    return view.deadPayloadBytes;
  }

  long maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** Replaces the generation by one without tombstones. Writers wait; searches do not. */
  void compact() {
    lock.lock();
    try {
      checkOpen();
      reconcile();
      generation = generation.compacted(view.seq); // writes in flight come after view.seq
      view = generation.publish(view.seq);
      compactions++;
    } finally {
      lock.unlock();
    }
  }

  /** What a snapshot writes: the view at a log roll, and the log bytes appended up to it. */
  record Rolled(View view, long logBytes) {}

  /**
   * Rolls the log to a new segment with writers held off, so every record of the returned view is
   * durable in the segments before the new one.
   */
  Rolled rollLog() {
    lock.lock();
    try {
      checkOpen();
      try {
        wal.roll();
      } finally {
        reconcile();
      }
      return new Rolled(view, wal.appendedBytes());
    } finally {
      lock.unlock();
    }
  }

  /** The latest published view. */
  View view() {
    return view;
  }

  /** The latest published view of an open index. */
  View liveView() {
    checkOpen();
    return view;
  }

  /**
   * The view once a write in flight has published (its map update is visible before its view is).
   */
  View settledView() {
    lock.lock();
    try {
      return view;
    } finally {
      lock.unlock();
    }
  }

  /** The current generation; read without the lock, so only good for a trigger. */
  Generation generation() {
    return generation;
  }

  long compactions() {
    return compactions;
  }

  boolean closed() {
    return closed;
  }

  /**
   * Refuses writes from now on.
   *
   * @return false if the index was already closed
   */
  boolean close() {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      closed = true;
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the index is closed");
    }
  }
}
