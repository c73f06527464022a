package dev.pipit.index;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The single-writer side of the index: under one lock, appends each mutation to the write-ahead
 * log, applies it to the current {@link Generation} and publishes a new {@link View}; then waits,
 * outside the lock, until the log says it is durable. Owns the open/closed state, since a closed
 * index must refuse writes at the same point where they are serialized.
 */
final class WritePath {

  private final WriteAheadLog wal; // null for an in-memory index
  private final ReentrantLock lock = new ReentrantLock();
  private Generation generation; // written under lock
  private long lastSeq; // written under lock
  private volatile View view;
  private volatile boolean closed;
  private volatile long compactions; // written under lock

  WritePath(Recovery.State state, WriteAheadLog wal) {
    this.wal = wal;
    this.generation = state.generation();
    this.lastSeq = state.lastSeq();
    this.view = generation.publish(lastSeq);
  }

  /**
   * Logs and applies puts of entries already checked by the caller, then waits until they are
   * durable.
   *
   * @throws DuplicateIdException if {@code replace} is false and the first entry's id is present
   */
  void put(List<Entry> checked, boolean replace) {
    long seq;
    lock.lock();
    try {
      checkOpen();
      if (!replace && generation.contains(checked.getFirst().id())) {
        throw new DuplicateIdException(
            "id '" + checked.getFirst().id() + "' is already in the index");
      }
      for (Entry e : checked) {
        long[] words = e.code().words();
        if (wal != null) {
          wal.append(LogRecord.put(lastSeq + 1, e.id(), words, e.payload()));
        }
        generation.put(++lastSeq, e.id(), words, e.payload());
      }
      seq = lastSeq;
      view = generation.publish(seq);
    } finally {
      lock.unlock();
    }
    awaitDurable(seq);
  }

  /**
   * Logs and applies the delete of {@code id}, then waits until it is durable.
   *
   * @throws UnknownIdException if no entry has this id
   */
  void delete(String id) {
    long seq;
    lock.lock();
    try {
      checkOpen();
      if (!generation.contains(id)) {
        throw new UnknownIdException("no entry with id '" + id + "'");
      }
      seq = lastSeq + 1;
      if (wal != null) {
        wal.append(LogRecord.delete(seq, id));
      }
      generation.remove(seq, id);
      lastSeq = seq;
      view = generation.publish(seq);
    } finally {
      lock.unlock();
    }
    awaitDurable(seq);
  }

  private void awaitDurable(long seq) {
    if (wal != null) {
      wal.awaitDurable(seq);
    }
  }

  /** Replaces the generation by one without tombstones. Writers wait; searches do not. */
  void compact() {
    lock.lock();
    try {
      checkOpen();
      generation = generation.compacted();
      view = generation.publish(lastSeq);
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
      wal.roll();
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
