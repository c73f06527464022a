package dev.pipit.metrics;

import dev.pipit.encode.DecodePool;
import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.ImageStore;
import dev.pipit.gallery.ModelRef;
import dev.pipit.gallery.ModelSwitch;
import dev.pipit.gallery.NoModelServingException;
import dev.pipit.gallery.ServingModel;
import dev.pipit.index.FileStats;
import dev.pipit.index.IndexStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Gauges read from the serving model at each scrape (so a model switch is followed without
 * re-registering): the gallery index (items, tombstones, memory, log, snapshots, recovery), the
 * encoder's queue and serving path, the decode queue, kept originals, the latest model switch and
 * which model serves. Without a serving model the index and encoder gauges read 0. The gauges hold
 * this binder strongly: a binder nobody else references must not turn them into NaN once collected.
 */
public class ServingMetrics implements MeterBinder {

  private final ActiveModel active;
  private final DecodePool decodePool;
  private final ImageStore store;
  private final Supplier<Optional<ModelSwitch.Status>> switchStatus;
  private volatile MeterRegistry registry;

  public ServingMetrics(
      ActiveModel active,
      DecodePool decodePool,
      ImageStore store,
      Supplier<Optional<ModelSwitch.Status>> switchStatus) {
    this.active = active;
    this.decodePool = decodePool;
    this.store = store;
    this.switchStatus = switchStatus;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    index(registry);
    files(registry);
    gauge(
        registry,
        "pipit.encoder.queue.depth",
        null,
        "Images waiting for an encoder batch",
        m -> m.model(s -> s.encoder().stats().queued()));
    gauge(
        registry,
        "pipit.encoder.queue.capacity",
        null,
        "Most images the encode queue holds",
        m -> m.model(s -> s.encoder().stats().capacity()));
    for (String path : List.of("compiled", "eager")) {
      Gauge.builder(
              "pipit.encoder.serving.path",
              this,
              m -> m.model(s -> s.encodes() && s.model().servingPath().startsWith(path) ? 1 : 0))
          .description("1 for the path the encoder serves through (compiled TorchScript or eager)")
          .tag("path", path)
          .strongReference(true)
          .register(registry);
    }
    gauge(
        registry,
        "pipit.decode.queue.depth",
        null,
        "Images waiting for a decode thread",
        m -> m.decodePool.waiting());
    originals(registry);
    switches(registry);
    this.registry = registry;
    refreshServing();
  }

  private void index(MeterRegistry registry) {
    gauge(
        registry,
        "pipit.index.items",
        null,
        "Live items in the gallery index",
        m -> m.stats(IndexStats::size));
    gauge(
        registry,
        "pipit.index.tombstones",
        null,
        "Deleted or replaced entries not compacted",
        m -> m.stats(IndexStats::tombstones));
    memory(registry, "codes", s -> s.memory().hotBytes());
    memory(registry, "payloads", s -> s.payloads().usedBytes() + s.payloads().deadBytes());
    memory(registry, "multi-index", s -> s.memory().mihBytes());
    gauge(
        registry,
        "pipit.wal.last.sequence",
        null,
        "Sequence number of the last mutation",
        m -> m.stats(s -> s.durability().lastSeq()));
    gauge(
        registry,
        "pipit.wal.durable.sequence",
        null,
        "Last mutation known to be on disk",
        m -> m.stats(s -> s.durability().durableSeq()));
    gauge(
        registry,
        "pipit.snapshot.last.sequence",
        null,
        "Sequence the newest snapshot includes",
        m -> m.stats(s -> s.maintenance().lastSnapshotSeq()));
    gauge(
        registry,
        "pipit.snapshot.age",
        "seconds",
        "Time since the newest snapshot (since the index opened when none)",
        ServingMetrics::snapshotAge);
  }

  private void memory(MeterRegistry registry, String kind, ToDoubleFunction<IndexStats> bytes) {
    Gauge.builder("pipit.index.memory", this, m -> m.stats(bytes))
        .description("Bytes the gallery index holds in memory")
        .baseUnit("bytes")
        .tag("kind", kind)
        .strongReference(true)
        .register(registry);
  }

  private void files(MeterRegistry registry) {
    gauge(
        registry,
        "pipit.wal.bytes",
        null,
        "Bytes of write-ahead log segments on disk",
        m -> m.files(f -> f.logBytes()));
    gauge(
        registry,
        "pipit.wal.segments",
        null,
        "Write-ahead log segments on disk",
        m -> m.files(FileStats::logSegments));
    gauge(
        registry,
        "pipit.snapshot.bytes",
        null,
        "Size of the newest snapshot file",
        m -> m.files(FileStats::lastSnapshotBytes));
    gauge(
        registry,
        "pipit.recovery",
        "seconds",
        "How long opening the serving index took",
        m -> m.files(f -> f.recoveryNanos() / 1e9));
    gauge(
        registry,
        "pipit.recovery.records.replayed",
        null,
        "Log records replayed at open",
        m -> m.files(FileStats::recordsReplayed));
  }

  private void originals(MeterRegistry registry) {
    gauge(
        registry,
        "pipit.originals.bytes",
        null,
        "Bytes of kept originals and thumbnails",
        m -> m.store.usedBytes());
    gauge(
        registry,
        "pipit.originals.count",
        null,
        "Distinct originals kept",
        m -> m.store.originals());
    gauge(
        registry,
        "pipit.originals.budget.bytes",
        null,
        "Most bytes kept originals may take",
        m -> m.store.maxBytes());
    FunctionCounter.builder("pipit.originals.refusals", this, m -> m.store.refusals())
        .description("Originals not kept because the cap was reached")
        .register(registry);
  }

  private void switches(MeterRegistry registry) {
    switchItems(registry, "re-encoded", ModelSwitch.Status::reencoded);
    switchItems(registry, "total", ModelSwitch.Status::total);
    switchItems(registry, "failed", s -> s.failed() + s.withoutOriginal());
  }

  private void switchItems(
      MeterRegistry registry, String state, ToDoubleFunction<ModelSwitch.Status> value) {
    Gauge.builder(
            "pipit.model.switch.items",
            this,
            m -> m.switchStatus.get().map(value::applyAsDouble).orElse(0.0))
        .description("Items of the latest model switch")
        .tag("state", state)
        .strongReference(true)
        .register(registry);
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      String unit,
      String description,
      ToDoubleFunction<ServingMetrics> value) {
    Gauge.builder(name, this, value)
        .description(description)
        .baseUnit(unit)
        .strongReference(true)
        .register(registry);
  }

  /**
   * Registers {@code pipit_model_serving} for the model serving now (once per model): 1 while it
   * serves, 0 after a switch away. Called at bind and after every model switch.
   */
  public void refreshServing() {
    MeterRegistry registry = this.registry;
    Optional<ModelRef> ref = active.current().map(ServingModel::ref);
    if (registry == null || ref.isEmpty()) {
      return;
    }
    ModelRef model = ref.get();
    Gauge.builder(
            "pipit.model.serving",
            this,
            m -> m.model(s -> s.ref().fingerprint().equals(model.fingerprint()) ? 1 : 0))
        .description("1 for the model that serves (read the tags)")
        .tags(
            Tags.of(
                "model",
                model.id(),
                "architecture",
                model.architecture(),
                "bits",
                Integer.toString(model.bits())))
        .strongReference(true)
        .register(registry);
  }

  private double model(ToDoubleFunction<ServingModel> value) {
    return active.current().map(s -> orZero(value, s)).orElse(0.0);
  }

  /** 0 for what a codes-only gallery (a light cluster node) does not have: an encoder. */
  private static double orZero(ToDoubleFunction<ServingModel> value, ServingModel model) {
    try {
      return value.applyAsDouble(model);
    } catch (NoModelServingException e) {
      return 0.0;
    }
  }

  private double stats(ToDoubleFunction<IndexStats> value) {
    return model(s -> value.applyAsDouble(s.index().stats()));
  }

  private double files(ToDoubleFunction<FileStats> value) {
    return model(s -> value.applyAsDouble(s.index().fileStats()));
  }

  private double snapshotAge() {
    return model(
        s -> {
          Instant last = s.index().stats().maintenance().lastSnapshotTime();
          Instant since = last != null ? last : s.index().fileStats().opened();
          return Duration.between(since, Instant.now()).toMillis() / 1e3;
        });
  }
}
