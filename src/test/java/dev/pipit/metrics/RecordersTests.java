package dev.pipit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.pipit.encode.BatchingEncoder;
import dev.pipit.encode.DecodePool;
import dev.pipit.encode.EncoderListener;
import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.GalleryCodec;
import dev.pipit.gallery.GalleryPayload;
import dev.pipit.gallery.GallerySearch;
import dev.pipit.gallery.ImageStore;
import dev.pipit.gallery.ModelRef;
import dev.pipit.gallery.ServingModel;
import dev.pipit.index.Code;
import dev.pipit.index.Entry;
import dev.pipit.index.FsyncPolicy;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import dev.pipit.jobs.TrainJob;
import dev.pipit.jobs.TrainJobRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorders and binders change when work happens, and only then. */
class RecordersTests {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @TempDir Path dir;

  private double timerCount(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).timer().count();
  }

  @Test
  void indexPassesLogAndSnapshotsAreRecordedAndItsFilesRead() throws Exception {
    IndexMeters meters = new IndexMeters(registry);
    IndexOptions options = IndexOptions.of(64, "m").withFsync(FsyncPolicy.always());
    try (HammingIndex index = HammingIndex.open(dir.resolve("idx"), options, meters)) {
      ServingModel model = mock(ServingModel.class);
      when(model.index()).thenReturn(index);
      new ServingMetrics(new ActiveModel(model), new DecodePool(1, 1), store(), Optional::empty)
          .bindTo(registry);
      assertThat(registry.get("pipit.wal.fsync").timer().count()).isZero();
      index.add("a", Code.of(64, 1), null);
      index.upsertAll(
          List.of(new Entry("b", Code.of(64, 2), null), new Entry("c", Code.of(64, 3), null)));
      assertThat(registry.get("pipit.wal.fsync").timer().count()).isEqualTo(2);
      assertThat(registry.get("pipit.wal.append").timer().count()).isEqualTo(2);
      assertThat(registry.get("pipit.wal.group.commit.size").summary().totalAmount()).isEqualTo(3);
      assertThat(registry.get("pipit.index.items").gauge().value()).isEqualTo(3);
      assertThat(registry.get("pipit.wal.last.sequence").gauge().value()).isEqualTo(3);
      assertThat(registry.get("pipit.wal.durable.sequence").gauge().value()).isEqualTo(3);
      assertThat(registry.get("pipit.wal.segments").gauge().value()).isEqualTo(1);
      assertThat(registry.get("pipit.wal.bytes").gauge().value()).isPositive();
      assertThat(registry.get("pipit.index.memory").tag("kind", "codes").gauge().value())
          .isPositive();

      index.search(Code.of(64, 1), 2);
      assertThat(timerCount("pipit.search.scan", "strategy", "linear")).isEqualTo(1);
      index.searchBatch(List.of(Code.of(64, 1), Code.of(64, 2), Code.of(64, 3)), 2);
      assertThat(timerCount("pipit.search.scan", "strategy", "batched")).isEqualTo(1);
      assertThat(registry.get("pipit.search.shared.pass.size").summary().count()).isEqualTo(2);
      assertThat(registry.get("pipit.search.shared.pass.size").summary().max()).isEqualTo(3);

      assertThat(registry.get("pipit.snapshot.bytes").gauge().value()).isZero();
      index.snapshot();
      assertThat(registry.get("pipit.snapshot").timer().count()).isEqualTo(1);
      assertThat(registry.get("pipit.snapshot.bytes").gauge().value()).isPositive();
      assertThat(registry.get("pipit.snapshot.last.sequence").gauge().value()).isEqualTo(3);
      assertThat(registry.get("pipit.snapshot.age").gauge().value()).isBetween(0.0, 60.0);
      index.delete("a");
      assertThat(registry.get("pipit.index.tombstones").gauge().value()).isEqualTo(1);
    }
    try (HammingIndex reopened = HammingIndex.open(dir.resolve("idx"), options)) {
      // the snapshot holds three records; the delete after it is replayed
      assertThat(reopened.fileStats().recordsReplayed()).isEqualTo(1);
      assertThat(reopened.fileStats().recoveryNanos()).isPositive();
      assertThat(reopened.fileStats().lastSnapshotBytes()).isPositive();
    }
  }

  @Test
  void servingGaugesOutliveABinderNobodyElseHolds() throws Exception {
    IndexOptions options = IndexOptions.of(64, "m");
    try (HammingIndex index = HammingIndex.open(dir.resolve("held"), options)) {
      ServingModel model = mock(ServingModel.class);
      when(model.index()).thenReturn(index);
      new ServingMetrics(new ActiveModel(model), new DecodePool(1, 1), store(), Optional::empty)
          .bindTo(registry);
      index.add("a", Code.of(64, 1), null);
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      assertThat(registry.get("pipit.index.items").gauge().value()).isEqualTo(1);
      assertThat(registry.get("pipit.wal.last.sequence").gauge().value()).isEqualTo(1);
    }
  }

  @Test
  void encoderBatchesAndRejectionsAreCounted() {
    EncoderMeters meters = new EncoderMeters(registry);
    meters.batch(new BatchingEncoder.BatchEvent(4, 2_000_000, 1_000, false));
    meters.batch(new BatchingEncoder.BatchEvent(2, 1_000_000, 1_000, true));
    meters.rejected(EncoderListener.Rejection.DECODE_QUEUE_FULL);
    assertThat(registry.get("pipit.encoder.images").counter().count()).isEqualTo(4);
    assertThat(registry.get("pipit.encoder.batch.size").summary().totalAmount()).isEqualTo(6);
    assertThat(registry.get("pipit.encoder.batch").timer().totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(3.0);
    assertThat(
            registry
                .get("pipit.encoder.rejections")
                .tag("reason", "decode-queue-full")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry.get("pipit.encoder.rejections").tag("reason", "queue-full").counter().count())
        .isZero();
  }

  @Test
  void searchesAreCountedByKindAndOutcomeWithTheirStagesAndHits() throws Exception {
    GalleryMeters meters = new GalleryMeters(registry);
    GalleryCodec codec = new GalleryCodec();
    try (HammingIndex index = HammingIndex.inMemory(IndexOptions.of(64, "fp"))) {
      for (int i = 0; i < 5; i++) {
        index.add(
            "i" + i,
            Code.of(64, i),
            codec.write(new GalleryPayload(i == 0 ? "cat" : "dog", Map.of(), null)));
      }
      ServingModel model = mock(ServingModel.class);
      when(model.index()).thenReturn(index);
      when(model.ref()).thenReturn(new ModelRef("m", "agmh", 64, "fp"));
      GallerySearch search =
          new GallerySearch(
              new ActiveModel(model), codec, 10, Duration.ofSeconds(1), true, 10, meters);
      search.byCode(Code.of(64, 0).toHex(), new GallerySearch.Query(3, null, null));
      assertThat(ok("code")).isEqualTo(1);
      assertThat(timerCount("pipit.search.stage", "stage", "scan")).isEqualTo(1);
      assertThat(timerCount("pipit.search.stage", "stage", "hydrate")).isEqualTo(1);
      assertThat(timerCount("pipit.search.stage", "stage", "encode")).isZero();
      assertThat(registry.get("pipit.search.results").summary().totalAmount()).isEqualTo(3);

      assertThatThrownBy(
          () -> search.byCode(Code.of(64, 0).toHex(), new GallerySearch.Query(11, null, null)));
      assertThat(
              registry
                  .get("pipit.search.requests")
                  .tag("kind", "code")
                  .tag("outcome", "client-error")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(ok("code")).isEqualTo(1);
    }
  }

  private double ok(String kind) {
    return registry
        .get("pipit.search.requests")
        .tag("kind", kind)
        .tag("outcome", "ok")
        .counter()
        .count();
  }

  @Test
  void authFailuresAreCountedByKnownReasonOnly() {
    AuthMeters meters = new AuthMeters(registry);
    meters.failed("expired");
    assertThat(registry.get("pipit.auth.failures").tag("reason", "expired").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("pipit.auth.failures").tag("reason", "missing").counter().count())
        .isZero();
    assertThatThrownBy(() -> meters.failed("bogus")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theRunningJobsGaugesFollowItAndReadNaNOnceItEnds() {
    JobMeters meters = new JobMeters(registry);
    TrainJobRequest request =
        new TrainJobRequest("j", "agmh", 48, "fashion-mnist", "/d", 1, 1, 2, 1, 10, 64);
    TrainJob running =
        new TrainJob(
            "1",
            TrainJob.State.RUNNING,
            request,
            0.5,
            List.of(new TrainJob.Iteration(1, 0.25, 0.8, 3.0)),
            12L,
            null,
            null,
            Instant.now(),
            Instant.now(),
            null);
    meters.updated(running);
    meters.stepped("agmh", 48, 5_000_000);
    assertThat(gauge("pipit.train.progress")).isEqualTo(0.5);
    assertThat(gauge("pipit.train.outer.iteration")).isEqualTo(1);
    assertThat(gauge("pipit.train.loss")).isEqualTo(0.25);
    assertThat(gauge("pipit.train.map")).isEqualTo(0.8);
    assertThat(gauge("pipit.train.eta")).isEqualTo(12);
    assertThat(registry.get("pipit.train.step").tag("method", "agmh").timer().count()).isEqualTo(1);
    meters.updated(
        new TrainJob(
            "1",
            TrainJob.State.FAILED,
            request,
            0.5,
            running.iterations(),
            null,
            null,
            "boom",
            running.created(),
            running.started(),
            Instant.now()));
    meters.failed();
    assertThat(gauge("pipit.train.progress")).isNaN();
    assertThat(registry.get("pipit.train.jobs.failed").counter().count()).isEqualTo(1);
  }

  private double gauge(String name) {
    return registry.get(name).tag("method", "agmh").tag("bits", "48").gauge().value();
  }

  private ImageStore store() throws Exception {
    return ImageStore.open(dir.resolve("originals"), 1000);
  }
}
