package dev.pipit.gallery;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The model (and its gallery index) that answers now. Searches read it without waiting. Gallery
 * writes run inside {@link #write}, which hands them the model under a shared lock; a model switch
 * takes that lock exclusively for its last step only, so a write lands entirely in the old model's
 * index or entirely in the new one, and the codes of two models never mix.
 */
public final class ActiveModel implements AutoCloseable {

  /** A gallery write against one model. */
  public interface Write<T> {
    T apply(ServingModel model);
  }

  /** The last step of a switch: brings the new index up to date with the writes made meanwhile. */
  public interface CatchUp {
    void apply(Set<String> changedIds) throws Exception;
  }

  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  private volatile ServingModel current;
  private volatile Set<String> changedDuringSwitch;
  private volatile String startupNote;

  /**
   * @param initial the model served at start, or null for none
   */
  public ActiveModel(ServingModel initial) {
    this(initial, null);
  }

  /**
   * @param initial the model served at start, or null for none
   * @param startupNote with a model: why it is a fallback and not the recorded one; without: why
   *     none serves (the service is then not ready); null when start-up went as configured
   */
  public ActiveModel(ServingModel initial, String startupNote) {
    this.current = initial;
    this.startupNote = startupNote;
  }

  /**
   * Why start-up did not serve what was recorded (fallback) or serves nothing; cleared by a
   * completed switch.
   */
  public Optional<String> startupNote() {
    return Optional.ofNullable(startupNote);
  }

  /** The model serving now, if any. */
  public Optional<ServingModel> current() {
    return Optional.ofNullable(current);
  }

  /**
   * The model serving now.
   *
   * @throws NoModelServingException if none is
   */
  public ServingModel require() {
    ServingModel model = current;
    if (model == null) {
      throw noModel();
    }
    return model;
  }

  /**
   * Runs a gallery write touching {@code ids} against the current model.
   *
   * @throws IllegalStateException if no model is serving
   */
  public <T> T write(Collection<String> ids, Write<T> write) {
    gate.readLock().lock();
    try {
      ServingModel model = current;
      if (model == null) {
        throw noModel();
      }
      Set<String> changed = changedDuringSwitch;
      if (changed != null) {
        changed.addAll(ids);
      }
      return write.apply(model);
    } finally {
      gate.readLock().unlock();
    }
  }

  /**
   * Starts recording the ids that writes touch, once no write is in flight: every write either
   * finished before (and is in any view of the index taken after this returns) or is recorded.
   */
  void beginSwitch() {
    gate.writeLock().lock();
    try {
      changedDuringSwitch = ConcurrentHashMap.newKeySet();
    } finally {
      gate.writeLock().unlock();
    }
  }

  /**
   * With writes held back: lets {@code catchUp} replay the recorded ids into {@code next}, then
   * makes {@code next} the active model.
   *
   * @return the model that was active before
   */
  ServingModel finishSwitch(ServingModel next, CatchUp catchUp) throws Exception {
    gate.writeLock().lock();
    try {
      catchUp.apply(Set.copyOf(changedDuringSwitch));
      ServingModel previous = current;
      current = next;
      startupNote = null;
      return previous;
    } finally {
      changedDuringSwitch = null;
      gate.writeLock().unlock();
    }
  }

  /**
   * Makes {@code next} the active model at once, with writes held back meanwhile (a cluster node
   * following an activation in its change log; the standalone service switches through {@link
   * ModelSwitch}). The previous model is not closed: requests may still hold it.
   *
   * @return the model that was active before
   */
  public ServingModel replace(ServingModel next) {
    gate.writeLock().lock();
    try {
      ServingModel previous = current;
      current = next;
      startupNote = null;
      return previous;
    } finally {
      gate.writeLock().unlock();
    }
  }

  /** Whether a write touched {@code id} since the running switch began recording. */
  boolean changedDuringSwitch(String id) {
    Set<String> changed = changedDuringSwitch;
    return changed != null && changed.contains(id);
  }

  /** Stops recording after a failed switch; the active model stays. */
  void abandonSwitch() {
    changedDuringSwitch = null;
  }

  private NoModelServingException noModel() {
    String note = startupNote;
    return note == null ? new NoModelServingException() : new NoModelServingException(note);
  }

  /** Closes the serving model (at shutdown). */
  @Override
  public void close() throws Exception {
    ServingModel model = current;
    current = null;
    if (model != null) {
      model.close();
    }
  }
}
