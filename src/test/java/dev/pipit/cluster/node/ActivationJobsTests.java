package dev.pipit.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.FakeEncoderBackend;
import dev.pipit.TestImages;
import dev.pipit.cluster.ClusterTestPostgres;
import dev.pipit.cluster.ShardFunction;
import dev.pipit.encode.BatchingEncoder;
import dev.pipit.encode.DecodePool;
import dev.pipit.encode.EncoderOptions;
import dev.pipit.encode.ImageDecoder;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.encode.ImagePreprocessor;
import dev.pipit.encode.Preprocessing;
import dev.pipit.gallery.ItemLossException;
import dev.pipit.gallery.SwitchConflictException;
import dev.pipit.index.Code;
import dev.pipit.model.ModelManifest;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster activation re-encodes every shard's kept originals (in PostgreSQL) with the new model's
 * network before it writes the activation: against a real PostgreSQL, with a small deterministic
 * network (codes from the pixels) so the codes can be checked.
 */
class ActivationJobsTests {

  private static final ShardFunction SHARDS = new ShardFunction(2);
  private static final Preprocessing SPEC =
      Preprocessing.fromManifest(
          new ModelManifest.Preprocessing("square", 16, 16, "caffe-bgr", "area"));
  private static final Path MODEL_DIR = Path.of("models-dir-unused-by-the-fake-network");

  @TempDir Path dirA;
  @TempDir Path dirB;

  ClusterTestPostgres.Database db;
  ClusterNode node;
  DecodePool decodes;
  final List<AutoCloseable> closeLater = new ArrayList<>();
  // counted down when a fake network encodes its first batch
  final CountDownLatch encoding = new CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    db = ClusterTestPostgres.newDatabase();
    node = ClusterNode.start(settings(0, dirA));
    decodes = new DecodePool(1, 64);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeLater.reversed()) {
      c.close();
    }
    node.close();
    decodes.close();
  }

  @Test
  void everyShardsOriginalsAreReencodedBeforeOneActivation() throws Exception {
    Map<String, byte[]> images = new LinkedHashMap<>();
    for (int shard = 0; shard < 2; shard++) {
      for (String id : ids(shard, 3, "a")) {
        images.put(id, writeWithOriginal(shard, id, "m1"));
      }
    }
    // one item has its m2 code already (written by code under m2's name): not re-encoded
    String prewritten = ids(1, 1, "pre").getFirst();
    writeWithOriginal(1, prewritten, "m1");
    node.store()
        .upsert(
            1,
            List.of(new ItemWrite(prewritten, "m2", Code.fromHex(16, "abcd"), null, null, null)));
    AtomicInteger closed = new AtomicInteger();
    ActivationJobs jobs = jobs(node, null, closed);

    ActivationJob started = jobs.start(MODEL_DIR, "m2", 16, false);
    assertThat(started.state()).isEqualTo(ActivationJob.State.RUNNING);
    assertThat(started.total()).isEqualTo(6);
    assertThat(started.from()).isEqualTo("m1");
    jobs.awaitIdle(Duration.ofSeconds(60));

    ActivationJob done = jobs.status().orElseThrow();
    assertThat(done.state()).as(done.error()).isEqualTo(ActivationJob.State.SUCCEEDED);
    assertThat(done.reencoded()).isEqualTo(6);
    assertThat(done.id()).isEqualTo(started.id());
    long activation = done.sequence();
    assertThat(closed).as("the job's network is closed").hasValue(1);
    try (FakeNetwork encoder = encoder(null, new AtomicInteger())) {
      for (Map.Entry<String, byte[]> e : images.entrySet()) {
        Row row = row(e.getKey(), "m2");
        assertThat(row.code()).isEqualTo(encoder.encoder().encode(e.getValue()).join().code());
        assertThat(row.sequence()).isLessThan(activation);
        assertThat(row.label()).isEqualTo("label-" + e.getKey());
      }
    }
    assertThat(row(prewritten, "m2").code()).isEqualTo(Code.fromHex(16, "abcd"));
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT model_id FROM pipit_model_activations")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getString(1)).isEqualTo("m2");
      assertThat(r.next()).isFalse();
    }
    node.awaitApplied(activation);
    assertThat(node.replica().served().modelId()).isEqualTo("m2");
    assertThat(node.replica().served().index().size())
        .as("shard 0's items, all with m2 codes")
        .isEqualTo(3);

    assertThatThrownBy(() -> jobs.start(MODEL_DIR, "m2", 16, false))
        .isInstanceOf(SwitchConflictException.class)
        .hasMessageContaining("already serving");
  }

  @Test
  void itemsWithoutAnOriginalRefuseTheActivationUnlessTheirLossIsAccepted() throws Exception {
    writeWithOriginal(0, ids(0, 1, "kept").getFirst(), "m1");
    String byCode = ids(0, 1, "code").getFirst();
    node.store()
        .upsert(
            0, List.of(new ItemWrite(byCode, "m1", Code.fromHex(16, "0001"), null, null, null)));
    ActivationJobs jobs = jobs(node, null, new AtomicInteger());

    assertThatThrownBy(() -> jobs.start(MODEL_DIR, "m2", 16, false))
        .isInstanceOfSatisfying(
            ItemLossException.class,
            e -> {
              assertThat(e.withoutOriginal()).isEqualTo(1);
              assertThat(e.total()).isEqualTo(2);
            });
    assertThat(count("SELECT count(*) FROM pipit_items WHERE model_id = 'm2'")).isZero();
    assertThat(count("SELECT count(*) FROM pipit_model_activations")).isZero();
    assertThat(jobs.status()).isEmpty();

    ActivationJob started = jobs.start(MODEL_DIR, "m2", 16, true);
    assertThat(started.withoutOriginal()).isEqualTo(1);
    jobs.awaitIdle(Duration.ofSeconds(60));
    ActivationJob done = jobs.status().orElseThrow();
    assertThat(done.state()).as(done.error()).isEqualTo(ActivationJob.State.SUCCEEDED);
    assertThat(done.reencoded()).isEqualTo(1);
    assertThat(done.dropped()).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM pipit_items WHERE id = '" + byCode + "'")).isZero();
    assertThat(
            count(
                "SELECT count(*) FROM pipit_changes WHERE op = 'delete' AND id = '"
                    + byCode
                    + "' AND sequence < "
                    + done.sequence()))
        .isEqualTo(1);
    node.awaitApplied(done.sequence());
    assertThat(node.replica().served().index().get(byCode)).isEmpty();
    assertThat(node.replica().served().index().size()).isEqualTo(1);
  }

  @Test
  void nothingToReencodeActivatesAtOnce() throws Exception {
    String id = ids(0, 1, "c").getFirst();
    node.store()
        .upsert(0, List.of(new ItemWrite(id, "m2", Code.fromHex(16, "00ff"), null, null, null)));
    // a light node (no network) can activate a model whose codes are all written
    ActivationJobs jobs = new ActivationJobs(node, null, 2);
    ActivationJob done = jobs.start(MODEL_DIR, "m2", 16, false);
    assertThat(done.state()).isEqualTo(ActivationJob.State.SUCCEEDED);
    assertThat(done.sequence()).isPositive();
    assertThat(done.total()).isZero();
  }

  @Test
  void oneActivationAtATimeACancelledOneIsResumedByAnotherNode() throws Exception {
    List<String> ids = new ArrayList<>(ids(0, 3, "r"));
    ids.addAll(ids(1, 3, "r"));
    for (String id : ids) {
      writeWithOriginal(SHARDS.shardOf(id), id, "m1");
    }
    CountDownLatch gate = new CountDownLatch(1);
    ActivationJobs jobs = jobs(node, gate, new AtomicInteger());
    ActivationJob first = jobs.start(MODEL_DIR, "m2", 16, false);
    assertThat(first.total()).isEqualTo(6);

    assertThatThrownBy(() -> jobs.start(MODEL_DIR, "m2", 16, false))
        .isInstanceOf(SwitchConflictException.class)
        .hasMessageContaining("is running");
    try (ClusterNode other = ClusterNode.start(settings(1, dirB))) {
      ActivationJobs elsewhere = jobs(other, null, new AtomicInteger());
      assertThatThrownBy(() -> elsewhere.start(MODEL_DIR, "m2", 16, false))
          .isInstanceOf(SwitchConflictException.class)
          .hasMessageContaining("another node");

      // while the first batch (the first two ids, read already) encodes: one of it is deleted,
      // one item is added
      assertThat(encoding.await(30, TimeUnit.SECONDS)).isTrue();
      String deleted = firstId();
      node.store().delete(SHARDS.shardOf(deleted), deleted);
      String added = ids(0, 1, "added").getFirst();
      byte[] addedImage = writeWithOriginal(0, added, "m1");
      jobs.cancel();
      gate.countDown();
      jobs.awaitIdle(Duration.ofSeconds(60));
      ActivationJob cancelled = jobs.status().orElseThrow();
      assertThat(cancelled.state()).isEqualTo(ActivationJob.State.CANCELLED);
      assertThat(cancelled.sequence()).isNull();
      assertThat(cancelled.reencoded()).as("the batch under way, less the deleted item").isOne();
      assertThat(count("SELECT count(*) FROM pipit_model_activations")).isZero();
      assertThat(count("SELECT count(*) FROM pipit_items WHERE id = '" + deleted + "'"))
          .as("deleted meanwhile: stays deleted")
          .isZero();
      assertThatThrownBy(jobs::cancel).isInstanceOf(SwitchConflictException.class);

      // the other node goes on with what is still missing: 4 left and the added item
      ActivationJob resumed = elsewhere.start(MODEL_DIR, "m2", 16, false);
      assertThat(resumed.total()).isEqualTo(5);
      elsewhere.awaitIdle(Duration.ofSeconds(60));
      ActivationJob done = elsewhere.status().orElseThrow();
      assertThat(done.state()).as(done.error()).isEqualTo(ActivationJob.State.SUCCEEDED);
      assertThat(done.reencoded()).isEqualTo(5);
      assertThat(count("SELECT count(*) FROM pipit_items WHERE model_id = 'm2'")).isEqualTo(6);
      try (FakeNetwork encoder = encoder(null, new AtomicInteger())) {
        assertThat(row(added, "m2").code())
            .isEqualTo(encoder.encoder().encode(addedImage).join().code());
      }
      other.awaitApplied(done.sequence());
      assertThat(other.replica().served().modelId()).isEqualTo("m2");
    }
  }

  @Test
  void theLastItemsAreEncodedInTheActivationsTransactionWithWritesHeldBack() throws Exception {
    // the activation's transaction holds the append lock: a write made while it encodes the last
    // items waits, and commits after the activation (nothing slips in between)
    String id = ids(0, 1, "w").getFirst();
    byte[] image = writeWithOriginal(0, id, "m1");
    String late = ids(0, 1, "late").getFirst();
    List<ClusterStore.ToReencode> seen = new ArrayList<>();
    CompletableFuture<Long> lateWrite = new CompletableFuture<>();
    ClusterStore.ActivationOutcome outcome =
        node.store()
            .activateReencoded(
                "m1",
                "m2",
                16,
                false,
                items -> {
                  seen.addAll(items);
                  Thread.ofVirtual()
                      .start(
                          () -> {
                            try {
                              lateWrite.complete(
                                  node.store()
                                      .upsert(
                                          0,
                                          List.of(
                                              new ItemWrite(
                                                  late,
                                                  "m1",
                                                  Code.fromHex(16, "0000"),
                                                  null,
                                                  null,
                                                  null))));
                            } catch (RuntimeException e) {
                              lateWrite.completeExceptionally(e);
                            }
                          });
                  try {
                    Thread.sleep(300);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  assertThat(lateWrite).as("the write waits for the activation").isNotDone();
                  return items.stream()
                      .map(i -> new ClusterStore.Reencoded(i, Code.fromHex(16, "1234")))
                      .toList();
                });
    assertThat(seen).extracting(ClusterStore.ToReencode::id).containsExactly(id);
    assertThat(seen.getFirst().image()).isEqualTo(image);
    assertThat(outcome.lastWritten()).isOne();
    assertThat(outcome.dropped()).isZero();
    assertThat(row(id, "m2").sequence()).isLessThan(outcome.sequence());
    assertThat(lateWrite.get(10, TimeUnit.SECONDS)).isGreaterThan(outcome.sequence());
  }

  // ---------------------------------------------------------------------------------------------

  private ClusterNode.Settings settings(int shard, Path dir) {
    return new ClusterNode.Settings(
        db.url(),
        db.username(),
        db.password(),
        2,
        shard,
        dir,
        "m1",
        16,
        Duration.ofSeconds(5),
        500,
        Duration.ofMillis(200),
        ReplicaSnapshotPolicy.defaults());
  }

  private ActivationJobs jobs(ClusterNode on, CountDownLatch gate, AtomicInteger closed) {
    ActivationJobs jobs = new ActivationJobs(on, modelDir -> encoder(gate, closed), 2);
    closeLater.add(jobs);
    return jobs;
  }

  /** The fake network: 16 bits from the pixels, waiting at {@code gate} (if any) first. */
  private FakeNetwork encoder(CountDownLatch gate, AtomicInteger closed) {
    BatchingEncoder batching =
        new BatchingEncoder(
            List.of(new PixelBackend(gate, encoding)), new EncoderOptions(8, Duration.ZERO, 64));
    return new FakeNetwork(
        new ImageEncoder(
            ImageDecoder.withDefaults(), new ImagePreprocessor(SPEC), batching, decodes, 64),
        batching,
        closed);
  }

  private record FakeNetwork(ImageEncoder encoder, BatchingEncoder batching, AtomicInteger closed)
      implements ActivationJobs.Network {
    @Override
    public void close() {
      batching.close();
      closed.incrementAndGet();
    }
  }

  /** Bit j: whether the j-th sixteenth of the image is brighter than the whole. */
  private static final class PixelBackend extends FakeEncoderBackend {
    PixelBackend(CountDownLatch gate, CountDownLatch entered) {
      super(16, SPEC, entered, gate);
    }

    @Override
    protected float[][] outputs(float[] batch, int n) {
      int length = inputLength();
      float[][] out = new float[n][16];
      for (int i = 0; i < n; i++) {
        double all = 0;
        double[] part = new double[16];
        for (int k = 0; k < length; k++) {
          float v = batch[i * length + k];
          all += v;
          part[k * 16 / length] += v;
        }
        for (int j = 0; j < 16; j++) {
          out[i][j] = part[j] * 16 > all ? 1f : -1f;
        }
      }
      return out;
    }
  }

  private static int image = 0;

  /** Writes an item with a kept original (random pixels) under {@code model}; returns the image. */
  private byte[] writeWithOriginal(int shard, String id, String model) {
    try {
      byte[] png = png(new Random(++image));
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png));
      node.store().putOriginal(sha, "image/png", png);
      node.store()
          .upsert(
              shard,
              List.of(
                  new ItemWrite(
                      id, model, Code.fromHex(16, "0000"), "label-" + id, Map.of("k", id), sha)));
      return png;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private record Row(Code code, long sequence, String label) {}

  private Row row(String id, String model) {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT code, bits, sequence, label FROM pipit_items WHERE id = '"
                    + id
                    + "' AND model_id = '"
                    + model
                    + "'")) {
      assertThat(r.next()).as(id + " has a code of " + model).isTrue();
      return new Row(
          Code.fromBase64(r.getInt(2), Base64.getEncoder().encodeToString(r.getBytes(1))),
          r.getLong(3),
          r.getString(4));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first id in the store's order (the job's), so in the job's first batch. */
  private String firstId() throws SQLException {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT id FROM pipit_items WHERE model_id = 'm1' ORDER BY id LIMIT 1")) {
      r.next();
      return r.getString(1);
    }
  }

  private long count(String sql) throws SQLException {
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static List<String> ids(int shard, int n, String prefix) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; ids.size() < n; i++) {
      if (SHARDS.shardOf(prefix + "-" + i) == shard) {
        ids.add(prefix + "-" + i);
      }
    }
    return ids;
  }

  private static byte[] png(Random random) throws Exception {
    return TestImages.noisePng(random, 32, 32);
  }
}
