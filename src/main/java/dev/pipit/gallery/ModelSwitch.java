package dev.pipit.gallery;

import dev.pipit.encode.ImageEncoder;
import dev.pipit.index.Code;
import dev.pipit.index.Entry;
import dev.pipit.model.ModelArtifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Switches the served model: opens the new model with a fresh index, re-encodes every kept original
 * of the gallery into it in the background while searches and writes go on against the old model,
 * replays the writes made meanwhile, records the choice, then swaps atomically ({@link
 * ActiveModel}). One switch at a time.
 *
 * <p>Items without a kept original (indexed by code, or past the store's cap) cannot be re-encoded.
 * A switch never drops them silently: {@link #start} counts them first and refuses ({@link
 * ItemLossException}) unless the caller accepts the loss; without that acceptance, a switch that
 * would still lose an item (one written by code meanwhile, or one the new model fails to encode)
 * fails instead. The old model's index stays untouched until the new index is serving and durable
 * (snapshotted, its log forced) and recorded; a failed switch leaves the old model serving and
 * removes only the new, unused index directory.
 */
public final class ModelSwitch implements AutoCloseable {

  /** Opens a model artifact for serving with its gallery index in {@code indexDir}. */
  public interface Opener {
    ServingModel open(Path modelDir, Path indexDir) throws IOException;
  }

  /** Where a switch stands. */
  public enum State {
    RUNNING,
    SUCCEEDED,
    FAILED
  }

  /**
   * A switch's progress.
   *
   * @param model the model switched to
   * @param state where it stands
   * @param total gallery items when it started
   * @param reencoded items encoded by the new model so far
   * @param withoutOriginal items left out: no kept original to re-encode
   * @param failed items whose original could not be encoded by the new model (left out)
   * @param startedAt when it started
   * @param finishedAt when it ended, or null
   * @param error why it failed, or null
   */
  public record Status(
      String model,
      State state,
      int total,
      int reencoded,
      int withoutOriginal,
      int failed,
      Instant startedAt,
      Instant finishedAt,
      String error) {}

  private static final Logger log = LoggerFactory.getLogger(ModelSwitch.class);
  private static final int IN_FLIGHT = 32;

  private final ActiveModel active;
  private final ImageStore store;
  private final GalleryCodec codec;
  private final Opener opener;
  private final ServingState state;
  private final Duration closeGrace;
  private final GalleryListener listener;
  private volatile Status status;
  private volatile long startedNanos;
  private Thread worker;

  /**
   * @param state where the served model and index are recorded across restarts
   * @param closeGrace how long the old model stays open after the swap, for requests still using it
   */
  public ModelSwitch(
      ActiveModel active,
      ImageStore store,
      GalleryCodec codec,
      Opener opener,
      ServingState state,
      Duration closeGrace) {
    this(active, store, codec, opener, state, closeGrace, GalleryListener.NONE);
  }

  /** As above, telling {@code listener} how long each switch took. */
  public ModelSwitch(
      ActiveModel active,
      ImageStore store,
      GalleryCodec codec,
      Opener opener,
      ServingState state,
      Duration closeGrace,
      GalleryListener listener) {
    this.listener = listener;
    this.active = active;
    this.store = store;
    this.codec = codec;
    this.opener = opener;
    this.state = state;
    this.closeGrace = closeGrace;
  }

  /**
   * Starts switching to the model in {@code modelDir} (verified first).
   *
   * @param acceptLoss whether items without a kept original may be dropped
   * @throws SwitchConflictException if a switch is running or the model already serves
   * @throws ItemLossException if items would be dropped and {@code acceptLoss} is false
   * @throws dev.pipit.model.ModelArtifactException if the artifact is invalid
   */
  public synchronized Status start(Path modelDir, boolean acceptLoss) {
    if (status != null && status.state() == State.RUNNING) {
      throw new SwitchConflictException(
          "a switch to " + status.model() + " is running; wait for it to finish");
    }
    ModelArtifact artifact = ModelArtifact.open(modelDir);
    int[] counts = new int[2]; // total, without a kept original
    // With nothing serving (a fresh deployment, or a recorded model that is gone) this is the first
    // activation: there is no gallery to carry over, and writes wait for a model anyway.
    Optional<ServingModel> serving = active.current();
    if (serving.isPresent()) {
      ServingModel current = serving.get();
      if (artifact.fingerprint().equals(current.ref().fingerprint())) {
        throw new SwitchConflictException(
            "model " + artifact.manifest().name() + " is already serving");
      }
      current
          .index()
          .forEach(
              entry -> {
                counts[0]++;
                if (!hasOriginal(entry)) {
                  counts[1]++;
                }
              });
    }
    if (counts[1] > 0 && !acceptLoss) {
      throw new ItemLossException(counts[1], counts[0]);
    }
    String name = artifact.manifest().name();
    status = new Status(name, State.RUNNING, counts[0], 0, 0, 0, Instant.now(), null, null);
    startedNanos = System.nanoTime();
    worker =
        Thread.ofPlatform()
            .name("model-switch")
            .daemon()
            .start(() -> run(modelDir, name, acceptLoss));
    return status;
  }

  /** The latest switch, if any. */
  public Optional<Status> status() {
    return Optional.ofNullable(status);
  }

  private void run(Path modelDir, String name, boolean acceptLoss) {
    ServingModel next = null;
    Path indexDir = null;
    AtomicInteger withoutOriginal = new AtomicInteger();
    try {
      indexDir = state.newIndexDir(name);
      next = opener.open(modelDir, indexDir);
      ServingModel old = active.current().orElse(null);
      active.beginSwitch();
      List<Entry> entries = new ArrayList<>();
      if (old != null) {
        old.index().forEach(entries::add);
      }
      AtomicInteger reencoded = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      status = progress(entries.size(), 0, 0, 0);
      ServingModel encoding = next;
      EncodingWindow<Entry> window =
          new EncodingWindow<>(
              next.encoder(),
              IN_FLIGHT,
              (entry, result) -> {
                count(upsert(encoding, entry, result), reencoded, failed);
                status =
                    progress(entries.size(), reencoded.get(), withoutOriginal.get(), failed.get());
              });
      for (Entry entry : entries) {
        Optional<byte[]> original = original(entry);
        if (original.isEmpty()) {
          // An item deleted or re-indexed meanwhile released its original; the catch-up replays
          // its current state, so it is not lost. (A write records its id before it releases.)
          if (!active.changedDuringSwitch(entry.id())) {
            withoutOriginal.incrementAndGet();
          }
          continue;
        }
        try {
          window.submit(entry, original.get());
        } catch (RuntimeException e) {
          log.warn("Model switch: item {} could not be re-encoded: {}", entry.id(), e.toString());
          failed.incrementAndGet();
        }
      }
      window.drain();
      status = progress(entries.size(), reencoded.get(), withoutOriginal.get(), failed.get());
      refuseLoss(acceptLoss, withoutOriginal.get() + failed.get());
      ServingModel target = next;
      Path targetIndex = indexDir;
      ServingModel previous =
          active.finishSwitch(
              next,
              changed -> {
                int lost = old == null ? 0 : catchUp(old, target, changed);
                withoutOriginal.addAndGet(lost);
                refuseLoss(acceptLoss, lost);
                // durable before it is recorded and before the old index may be retired
                target.index().snapshot();
                state.record(modelDir, targetIndex);
              });
      status =
          finished(State.SUCCEEDED, reencoded.get(), withoutOriginal.get(), failed.get(), null);
      log.info(
          "Model switch to {} done: {} re-encoded, {} without original, {} failed",
          name,
          reencoded.get(),
          withoutOriginal.get(),
          failed.get());
      retire(previous);
    } catch (Exception | LinkageError e) {
      active.abandonSwitch();
      log.warn("Model switch to {} failed; the current model keeps serving", name, e);
      Status s = status;
      status =
          finished(
              State.FAILED,
              s.reencoded(),
              Math.max(s.withoutOriginal(), withoutOriginal.get()),
              s.failed(),
              e.getMessage() == null ? e.toString() : e.getMessage());
      if (next != null) {
        closeQuietly(next);
      }
      if (indexDir != null) {
        state.discardFailed(indexDir);
      }
    }
  }

  private static void refuseLoss(boolean acceptLoss, int lost) {
    if (lost > 0 && !acceptLoss) {
      throw new IllegalStateException(
          lost
              + " gallery items could not be carried over to the new model (no kept original, or"
              + " it failed to encode); switch not done, activate with acceptLoss=true to drop"
              + " them");
    }
  }

  private static void count(boolean reencoded, AtomicInteger done, AtomicInteger failed) {
    (reencoded ? done : failed).incrementAndGet();
  }

  private boolean upsert(
      ServingModel next, Entry entry, CompletableFuture<ImageEncoder.Result> encoding) {
    try {
      next.index().upsert(entry.id(), encoding.join().code(), entry.payload());
      return true;
    } catch (RuntimeException e) {
      log.warn("Model switch: item {} could not be re-encoded: {}", entry.id(), e.toString());
      return false;
    }
  }

  /**
   * Replays into {@code next} what writes did to {@code changed} ids in the old index during the
   * switch.
   *
   * @return items written meanwhile that could not be carried over (no original, or not encoded)
   */
  private int catchUp(ServingModel old, ServingModel next, Set<String> changed) {
    int lost = 0;
    for (String id : changed) {
      try {
        if (!catchUp(old, next, id)) {
          lost++;
        }
      } catch (RuntimeException e) {
        // the write itself was refused (a malformed id, say): nothing to replay
        log.debug("Model switch: nothing to replay for {}: {}", id, e.toString());
      }
    }
    return lost;
  }

  /** Returns false when the item is in the old index but could not be put in the new one. */
  private boolean catchUp(ServingModel old, ServingModel next, String id) {
    Optional<Entry> now = old.index().get(id);
    Optional<byte[]> original = now.flatMap(this::original);
    if (original.isPresent()) {
      try {
        Code code = next.encoder().encode(original.get()).join().code();
        next.index().upsert(id, code, now.get().payload());
        return true;
      } catch (RuntimeException e) {
        log.warn(
            "Model switch: item {} written during the switch could not be re-encoded: {}",
            id,
            e.toString());
      }
    }
    if (next.index().get(id).isPresent()) {
      next.index().delete(id);
    }
    return now.isEmpty(); // deleted meanwhile: nothing lost
  }

  private boolean hasOriginal(Entry entry) {
    return store.original(codec.read(entry.payload()).image()).isPresent();
  }

  private Optional<byte[]> original(Entry entry) {
    return store
        .original(codec.read(entry.payload()).image())
        .flatMap(
            path -> {
              try {
                return Optional.of(Files.readAllBytes(path));
              } catch (IOException e) {
                log.warn("Model switch: original of {} unreadable: {}", entry.id(), e.toString());
                return Optional.empty();
              }
            });
  }

  private void retire(ServingModel previous) {
    if (previous != null) {
      retireAfter(previous, closeGrace, state::discardUnused);
    }
  }

  /**
   * Closes a model that no longer serves once {@code grace} has passed (requests that took it
   * before the swap finish with it), then runs {@code then}. Also used by a cluster node whose
   * network follows an activation in the change log.
   */
  public static void retireAfter(ServingModel previous, Duration grace, Runnable then) {
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                Thread.sleep(grace);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              closeQuietly(previous);
              then.run();
            });
  }

  private static void closeQuietly(ServingModel model) {
    try {
      model.close();
    } catch (Exception e) {
      log.warn("Closing a retired model failed: {}", e.toString());
    }
  }

  private Status progress(int total, int reencoded, int withoutOriginal, int failed) {
    Status s = status;
    return new Status(
        s.model(),
        State.RUNNING,
        total,
        reencoded,
        withoutOriginal,
        failed,
        s.startedAt(),
        null,
        null);
  }

  private Status finished(State end, int reencoded, int withoutOriginal, int failed, String error) {
    listener.switchEnded(end, System.nanoTime() - startedNanos);
    Status s = status;
    return new Status(
        s.model(),
        end,
        s.total(),
        reencoded,
        withoutOriginal,
        failed,
        s.startedAt(),
        Instant.now(),
        error);
  }

  /** Waits for a running switch to end (tests, shutdown). */
  public void awaitIdle(Duration timeout) throws InterruptedException {
    Thread t;
    synchronized (this) {
      t = worker;
    }
    if (t != null) {
      t.join(timeout);
    }
  }

  @Override
  public void close() throws InterruptedException {
    awaitIdle(Duration.ofMinutes(1));
  }
}
