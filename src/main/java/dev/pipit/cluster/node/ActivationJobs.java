package dev.pipit.cluster.node;

import dev.pipit.encode.EncoderOverloadedException;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.gallery.ItemLossException;
import dev.pipit.gallery.SwitchConflictException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model switch in a cluster, the way standalone's {@code ModelSwitch} does it: before the
 * activation is written, the kept originals of every shard's items (in PostgreSQL) are re-encoded
 * with the new model's network on this node, in the background, and their codes written as writes
 * are; only then is the activation appended, so every node switches at one sequence to a complete
 * gallery and searches never mix two models' codes.
 *
 * <p>The sweep reads the items still missing a code of the new model in id order, a batch at a
 * time: whatever stops it (a cancel, a crash), the next activation, on this node or another, goes
 * on with what is still missing. Items written meanwhile (by the old model's network) are picked up
 * by a later sweep; the last ones are encoded inside the activation's transaction, which holds
 * writes back, so none slips in between. Items deleted meanwhile stay deleted. One activation job
 * at a time in the whole cluster (a PostgreSQL session lock).
 *
 * <p>Items that have no kept original (indexed by code) and no code of the new model cannot be
 * carried over: {@link #start} refuses ({@link ItemLossException}) unless the caller accepts the
 * loss, which deletes them in the activation's transaction.
 */
public final class ActivationJobs implements AutoCloseable {

  /** A loaded network, closed when the job ends. */
  public interface Network extends AutoCloseable {
    ImageEncoder encoder();
  }

  /** Loads the network of the model artifact in a directory (seconds). */
  public interface Networks {
    Network open(Path modelDir) throws Exception;
  }

  private static final Logger log = LoggerFactory.getLogger(ActivationJobs.class);
  // sweeps before the rest is left to the activation's transaction (which holds writes back)
  private static final int MAX_SWEEPS = 5;

  private final ClusterNode node;
  private final Networks networks;
  private final int batchSize;
  private volatile ActivationJob status;
  private volatile boolean cancelled;
  private Thread worker;

  /**
   * @param networks loads a model's network, or null on a node that loads none (it can activate
   *     only models whose codes are all written)
   * @param batchSize items read, encoded and written together
   */
  public ActivationJobs(ClusterNode node, Networks networks, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.node = node;
    this.networks = networks;
    this.batchSize = batchSize;
  }

  /**
   * Starts activating the model in {@code modelDir} named {@code model}. When nothing is to be
   * re-encoded the activation is written before this returns (the status is then {@code SUCCEEDED},
   * with its sequence); else a job re-encodes in the background ({@code RUNNING}).
   *
   * @param bits the model's code length
   * @param acceptLoss whether items without a kept original or a code of the model may be dropped
   * @throws SwitchConflictException if the model serves already, or an activation runs (here or on
   *     another node)
   * @throws ItemLossException if items would be dropped and {@code acceptLoss} is false
   * @throws StoreUnavailableException if PostgreSQL is unreachable
   */
  public synchronized ActivationJob start(
      Path modelDir, String model, int bits, boolean acceptLoss) {
    if (status != null && status.state() == ActivationJob.State.RUNNING) {
      throw new SwitchConflictException(
          "an activation of " + status.model() + " is running (job " + status.id() + ")");
    }
    String from = node.replica().served().modelId();
    if (model.equals(from)) {
      throw new SwitchConflictException("model " + model + " is already serving");
    }
    ClusterStore.ActivationLock lock =
        node.store()
            .tryActivationLock()
            .orElseThrow(
                () ->
                    new SwitchConflictException(
                        "another node is running an activation; wait for it to finish"));
    ActivationJob previous = status;
    try {
      ClusterStore.Reencoding counts = node.store().reencoding(from, model);
      if (counts.withoutOriginal() > 0 && !acceptLoss) {
        throw new ItemLossException(
            (int) Math.min(Integer.MAX_VALUE, counts.withoutOriginal()),
            (int) Math.min(Integer.MAX_VALUE, counts.items()));
      }
      if (counts.withOriginal() > 0 && networks == null) {
        throw new SwitchConflictException(
            counts.withOriginal()
                + " items need codes of "
                + model
                + " encoded from their originals, and this node loads no network: activate on"
                + " a node that serves images");
      }
      cancelled = false;
      status =
          new ActivationJob(
              UUID.randomUUID().toString(),
              model,
              from,
              ActivationJob.State.RUNNING,
              counts.withOriginal(),
              0,
              counts.withoutOriginal(),
              0,
              0,
              null,
              Instant.now(),
              null,
              null);
      if (counts.withOriginal() == 0 && activateAtOnce(model, bits, from, acceptLoss)) {
        lock.close();
        return status;
      }
    } catch (RuntimeException e) {
      status = previous;
      lock.close();
      throw e;
    }
    worker =
        Thread.ofPlatform()
            .name("cluster-activation")
            .daemon()
            .start(() -> run(modelDir, model, bits, from, acceptLoss, lock));
    return status;
  }

  /**
   * Nothing to re-encode: writes the activation now. False when items to re-encode were written
   * since they were counted (the job then does it).
   */
  private boolean activateAtOnce(String model, int bits, String from, boolean acceptLoss) {
    try {
      finish(model, bits, from, acceptLoss, items -> List.of(), new HashSet<>());
      return true;
    } catch (ClusterStore.ItemsMissingException e) {
      // items were written since they were counted
      ClusterStore.Reencoding now = node.store().reencoding(from, model);
      if (now.withOriginal() > 0 && networks != null) {
        return false;
      }
      if (now.withOriginal() > 0) {
        throw new SwitchConflictException(
            now.withOriginal()
                + " items need codes of "
                + model
                + " encoded from their originals, and this node loads no network: activate on"
                + " a node that serves images");
      }
      throw new ItemLossException(
          (int) Math.min(Integer.MAX_VALUE, now.withoutOriginal()),
          (int) Math.min(Integer.MAX_VALUE, now.items()));
    }
  }

  /** The latest job, if any was started here. */
  public Optional<ActivationJob> status() {
    return Optional.ofNullable(status);
  }

  /**
   * Asks the running job to stop (between batches); the codes written so far stay, unused until a
   * later activation of the model goes on from them.
   *
   * @throws SwitchConflictException if no job runs here
   */
  public synchronized ActivationJob cancel() {
    ActivationJob s = status;
    if (s == null || s.state() != ActivationJob.State.RUNNING) {
      throw new SwitchConflictException("no activation is running on this node");
    }
    cancelled = true;
    return s;
  }

  private static final class Cancelled extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private void run(
      Path modelDir,
      String model,
      int bits,
      String from,
      boolean acceptLoss,
      ClusterStore.ActivationLock l) {
    Set<String> failed = new HashSet<>();
    try (l;
        Network network = networks.open(modelDir)) {
      ImageEncoder encoder = network.encoder();
      for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
        sweep(model, from, encoder, failed);
        long remaining = node.store().reencoding(from, model).withOriginal();
        if (remaining - failed.size() <= batchSize) {
          break;
        }
      }
      checkCancelled();
      finish(model, bits, from, acceptLoss, items -> encode(encoder, items, failed), failed);
      log.info(
          "Activation of {}: {} codes re-encoded, {} dropped, at sequence {}",
          model,
          status.reencoded(),
          status.dropped(),
          status.sequence());
    } catch (Cancelled e) {
      status = status.with(ActivationJob.State.CANCELLED, null, Instant.now(), "cancelled");
      log.info("Activation of {} cancelled after {} codes", model, status.reencoded());
    } catch (ClusterStore.ItemsMissingException e) {
      status =
          status.with(
              ActivationJob.State.FAILED,
              null,
              Instant.now(),
              e.missing()
                  + " items would have no code of "
                  + model
                  + " (no kept original, or it failed to encode); not activated: activate with"
                  + " acceptLoss=true to drop them");
    } catch (Exception | LinkageError e) {
      log.warn("Activation of {} failed; {} keeps serving", model, from, e);
      status =
          status.with(
              ActivationJob.State.FAILED,
              null,
              Instant.now(),
              e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private void sweep(String model, String from, ImageEncoder encoder, Set<String> failed) {
    String after = "";
    while (true) {
      checkCancelled();
      List<ClusterStore.ToReencode> batch = node.store().toReencode(from, model, after, batchSize);
      if (batch.isEmpty()) {
        return;
      }
      after = batch.getLast().id();
      int written = node.store().writeReencoded(from, model, encode(encoder, batch, failed));
      ActivationJob s = status;
      status = s.progress(s.reencoded() + written, failed.size(), s.dropped());
    }
  }

  private void finish(
      String model,
      int bits,
      String from,
      boolean acceptLoss,
      ClusterStore.LastEncodings last,
      Set<String> failed) {
    ClusterStore.ActivationOutcome outcome =
        node.store().activateReencoded(from, model, bits, acceptLoss, last);
    ActivationJob s = status;
    status =
        s.progress(s.reencoded() + outcome.lastWritten(), failed.size(), outcome.dropped())
            .with(ActivationJob.State.SUCCEEDED, outcome.sequence(), Instant.now(), null);
  }

  private void checkCancelled() {
    if (cancelled) {
      throw new Cancelled();
    }
  }

  /** Encodes a batch (together, so it shares the encoder's batches); failures are left out. */
  private static List<ClusterStore.Reencoded> encode(
      ImageEncoder encoder, List<ClusterStore.ToReencode> items, Set<String> failed) {
    List<CompletableFuture<ImageEncoder.Result>> encodings = new ArrayList<>();
    for (ClusterStore.ToReencode item : items) {
      encodings.add(submit(encoder, item, encodings));
    }
    List<ClusterStore.Reencoded> codes = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      ClusterStore.ToReencode item = items.get(i);
      try {
        codes.add(new ClusterStore.Reencoded(item, encodings.get(i).join().code()));
        failed.remove(item.id());
      } catch (RuntimeException e) {
        if (failed.add(item.id())) {
          log.warn("Activation: item {} could not be re-encoded: {}", item.id(), e.toString());
        }
      }
    }
    return codes;
  }

  private static CompletableFuture<ImageEncoder.Result> submit(
      ImageEncoder encoder,
      ClusterStore.ToReencode item,
      List<CompletableFuture<ImageEncoder.Result>> earlier) {
    if (item.image() == null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("original " + item.original() + " is not in the store"));
    }
    try {
      return encoder.encode(item.image());
    } catch (EncoderOverloadedException e) {
      // the shared queue is full: wait for this batch's own encodings, then try once more
      earlier.forEach(f -> f.exceptionally(x -> null).join());
      try {
        return encoder.encode(item.image());
      } catch (RuntimeException again) {
        return CompletableFuture.failedFuture(again);
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Waits for a running job to end (tests, shutdown). */
  public void awaitIdle(Duration timeout) throws InterruptedException {
    Thread t;
    synchronized (this) {
      t = worker;
    }
    if (t != null) {
      t.join(timeout);
    }
  }

  /** Stops a running job at its next batch and waits for it. */
  @Override
  public void close() throws InterruptedException {
    cancelled = true;
    awaitIdle(Duration.ofMinutes(1));
  }
}
