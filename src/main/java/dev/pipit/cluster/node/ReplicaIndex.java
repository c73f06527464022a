package dev.pipit.cluster.node;

import dev.pipit.gallery.GalleryCodec;
import dev.pipit.gallery.GalleryPayload;
import dev.pipit.index.Entry;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A node's in-memory copy of its shard, fed by the change log: one Hamming index per model whose
 * codes the log carried, and the served one, switched only at an activation's sequence. Searches
 * take {@link #served()} once and use that index throughout, so an answer never mixes two models'
 * codes. Upserts of a model that is not (yet) active are kept aside: a reindex writes the new
 * model's codes before its activation.
 */
public final class ReplicaIndex implements ChangeSink, AutoCloseable {

  /** The served model, its index, and the sequence it became active at (0: never activated). */
  public record Served(String modelId, HammingIndex index, long activatedAt) {}

  private final GalleryCodec codec = new GalleryCodec();
  private final Map<String, HammingIndex> byModel = new HashMap<>();
  private volatile Served served;
  private volatile Consumer<Served> onSwitch = served -> {};

  /** Starts serving {@code initialModel} (the node's configured model until an activation). */
  public ReplicaIndex(String initialModel, int initialBits) {
    this.served = new Served(initialModel, indexFor(initialModel, initialBits), 0);
  }

  /** Restores a replica from a snapshot's indexes (see {@link ReplicaSnapshot}). */
  ReplicaIndex(Map<String, HammingIndex> indexes, String servedModel, long activatedAt) {
    byModel.putAll(indexes);
    this.served = new Served(servedModel, byModel.get(servedModel), activatedAt);
  }

  /** The served model and every model's index, between two batches (for a snapshot). */
  record Models(Served served, Map<String, HammingIndex> indexes) {}

  synchronized Models models() {
    return new Models(served, Map.copyOf(byModel));
  }

  public Served served() {
    return served;
  }

  /**
   * Called (on the tail's thread, within the batch) with the new served model at each activation,
   * before the previous model's index is closed: whoever serves searches swaps to it there.
   */
  public void onSwitch(Consumer<Served> listener) {
    this.onSwitch = listener;
  }

  /** The index of {@code modelId}, if the log carried any of its codes. */
  public synchronized Optional<HammingIndex> indexOf(String modelId) {
    return Optional.ofNullable(byModel.get(modelId));
  }

  /**
   * {@inheritDoc}
   *
   * @throws ChangeRefusedException naming the first change the index refused (the changes before it
   *     in the batch are applied; applying them again is harmless)
   */
  @Override
  public synchronized void apply(List<Change> batch) {
    List<Change> run = new ArrayList<>();
    String runModel = null;
    for (Change change : batch) {
      if (change.op() == Change.Op.UPSERT && change.modelId().equals(runModel)) {
        run.add(change);
        continue;
      }
      flush(runModel, run);
      runModel = null;
      try {
        switch (change.op()) {
          case UPSERT -> {
            runModel = change.modelId();
            run.add(change);
          }
          case DELETE -> {
            for (HammingIndex index : byModel.values()) {
              if (index.get(change.id()).isPresent()) {
                index.delete(change.id());
              }
            }
          }
          case ACTIVATE -> activate(change.modelId(), change.modelBits(), change.sequence());
        }
      } catch (RuntimeException e) {
        throw new ChangeRefusedException(change, e);
      }
    }
    flush(runModel, run);
  }

  private void flush(String modelId, List<Change> run) {
    if (run.isEmpty()) {
      return;
    }
    List<Entry> entries = new ArrayList<>(run.size());
    for (Change change : run) {
      try {
        entries.add(entry(change.item()));
      } catch (RuntimeException e) {
        throw new ChangeRefusedException(change, e);
      }
    }
    HammingIndex index = indexFor(modelId, entries.getFirst().code().bits());
    try {
      index.upsertAll(entries); // checks every entry before it applies any
    } catch (RuntimeException e) {
      throw refusedIn(modelId, index.bits(), run, entries, e);
    }
    run.clear();
  }

  /**
   * Which change of a refused run the index refuses: each entry tried alone on an empty index of
   * the same options (only on this failure path); the first change of the run if none is.
   */
  private static ChangeRefusedException refusedIn(
      String modelId, int bits, List<Change> run, List<Entry> entries, RuntimeException cause) {
    try (HammingIndex probe = HammingIndex.inMemory(replicaOptions(bits, modelId))) {
      for (int i = 0; i < entries.size(); i++) {
        try {
          probe.upsert(entries.get(i).id(), entries.get(i).code(), entries.get(i).payload());
        } catch (RuntimeException e) {
          return new ChangeRefusedException(run.get(i), e);
        }
      }
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
    return new ChangeRefusedException(run.getFirst(), cause);
  }

  private void activate(String modelId, int bits, long sequence) {
    HammingIndex index = byModel.get(modelId);
    if (index == null) {
      // Activated before any of its codes reached this shard (a fresh cluster): an empty gallery
      // of that model, of its code length (that of the served one where the log does not say).
      index = indexFor(modelId, bits > 0 ? bits : served.index().bits());
    }
    Served previous = served;
    served = new Served(modelId, index, sequence);
    if (previous.index() != index) {
      onSwitch.accept(served);
    }
    // Older models' codes are no longer served; a later activation of one re-reads nothing, so
    // the store keeps their rows and a node rebuilds from the log or a snapshot.
    byModel.entrySet().removeIf(e -> !e.getKey().equals(modelId) && closeQuietly(e.getValue()));
  }

  private Entry entry(ItemWrite item) {
    byte[] payload =
        codec.write(new GalleryPayload(item.label(), item.metadata(), item.original()));
    return new Entry(item.id(), item.code(), payload);
  }

  private HammingIndex indexFor(String modelId, int bits) {
    return byModel.computeIfAbsent(modelId, m -> HammingIndex.inMemory(replicaOptions(bits, m)));
  }

  /**
   * A replica's index options: no payload budget. A change in the log is committed in PostgreSQL
   * already; a replica that refused it would stall its tail for good (it did at 6.3 M items with
   * the default budget), as a replayed log never refuses either.
   */
  static IndexOptions replicaOptions(int bits, String modelId) {
    return IndexOptions.of(bits, "cluster:" + modelId).withMaxPayloadBytes(Long.MAX_VALUE);
  }

  private static boolean closeQuietly(HammingIndex index) {
    try {
      index.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return true;
  }

  @Override
  public synchronized void close() throws IOException {
    for (HammingIndex index : byModel.values()) {
      index.close();
    }
    byModel.clear();
  }
}
