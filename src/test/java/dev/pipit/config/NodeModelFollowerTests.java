package dev.pipit.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.FakeEncoderBackend;
import dev.pipit.TestModels;
import dev.pipit.cluster.node.Change;
import dev.pipit.cluster.node.ReplicaIndex;
import dev.pipit.encode.BatchingEncoder;
import dev.pipit.encode.DecodePool;
import dev.pipit.encode.EncoderOptions;
import dev.pipit.encode.ImageDecoder;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.encode.ImagePreprocessor;
import dev.pipit.encode.Preprocessing;
import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.ModelSwitch;
import dev.pipit.gallery.ServingModel;
import dev.pipit.gallery.ServingState;
import dev.pipit.model.ModelManifest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After an activation switches a node with a network, the network it replaced is closed, but not
 * while a request that took it before the switch still encodes with it.
 */
class NodeModelFollowerTests {

  private static final Preprocessing SPEC =
      Preprocessing.fromManifest(
          new ModelManifest.Preprocessing("square", 8, 8, "caffe-bgr", "area"));

  @TempDir Path dir;

  /** Which model directory each opened network came from, and when it was closed. */
  final Map<String, Instant> closedAt = new ConcurrentHashMap<>();

  @Test
  void theReplacedNetworkIsClosedAfterTheGraceOnceItsInFlightRequestFinished() throws Exception {
    Path models = dir.resolve("models");
    Path first = TestModels.writeWithoutNetwork(models, "first", 8);
    TestModels.writeWithoutNetwork(models, "second", 8);
    CountDownLatch inForward = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Duration grace = Duration.ofMillis(500);
    try (DecodePool decodes = new DecodePool(1, 8);
        ReplicaIndex replica = new ReplicaIndex("first", 8)) {
      ActiveModel active =
          NodeModelFollower.start(
              replica,
              new ServingState(dir.resolve("data")),
              first,
              models,
              (modelDir, indexDir) -> {
                // only the first network's forward pass waits: the request in flight
                boolean waits = modelDir.equals(first);
                return network(
                    modelDir.getFileName().toString(),
                    replica,
                    decodes,
                    waits ? inForward : null,
                    waits ? release : null);
              },
              grace);
      ServingModel old = active.require();
      assertThat(old.encodes()).isTrue();
      // a request took the first network and is encoding with it when the switch comes
      CompletableFuture<ImageEncoder.Result> inFlight = old.encoder().encode(png());
      assertThat(inForward.await(10, TimeUnit.SECONDS)).isTrue();

      replica.apply(
          List.of(new Change(7, Change.Op.ACTIVATE, null, null, "second", Instant.now())));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!(active.require().encodes() && active.require() != old)) {
        assertThat(System.nanoTime()).as("the second network loads").isLessThan(deadline);
        Thread.sleep(20);
      }
      ServingModel second = active.require();
      Instant switched = Instant.now();
      // past the grace, the request still holds the first network: it is not closed under it
      Thread.sleep(grace.multipliedBy(3).toMillis());
      assertThat(closedAt).doesNotContainKey("first");
      assertThat(inFlight).isNotDone();

      Instant finishing = Instant.now();
      release.countDown();
      assertThat(inFlight.get(10, TimeUnit.SECONDS).code().bits())
          .as("the request in flight finishes with the first network")
          .isEqualTo(8);
      while (!closedAt.containsKey("first")) {
        assertThat(System.nanoTime()).as("the first network is closed").isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(closedAt.get("first")).isAfter(finishing).isAfter(switched.plus(grace));
      assertThat(closedAt).doesNotContainKey("second");
      assertThat(second.encoder().encode(png()).get(10, TimeUnit.SECONDS).code().bits())
          .isEqualTo(8);
      second.close();
    }
  }

  @Test
  void withNoRequestInFlightTheReplacedNetworkIsClosedOnceTheGraceIsOver() throws Exception {
    Path models = dir.resolve("models");
    Path first = TestModels.writeWithoutNetwork(models, "first", 8);
    TestModels.writeWithoutNetwork(models, "second", 8);
    Duration grace = Duration.ofSeconds(1);
    try (DecodePool decodes = new DecodePool(1, 8);
        ReplicaIndex replica = new ReplicaIndex("first", 8)) {
      ActiveModel active =
          NodeModelFollower.start(
              replica,
              new ServingState(dir.resolve("data")),
              first,
              models,
              (modelDir, indexDir) ->
                  network(modelDir.getFileName().toString(), replica, decodes, null, null),
              grace);
      ServingModel old = active.require();
      Instant before = Instant.now();
      replica.apply(
          List.of(new Change(3, Change.Op.ACTIVATE, null, null, "second", Instant.now())));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!closedAt.containsKey("first")) {
        assertThat(System.nanoTime()).as("the first network is closed").isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(closedAt.get("first")).isAfterOrEqualTo(before.plus(grace));
      assertThat(active.require()).isNotSameAs(old);
      active.require().close();
    }
  }

  /**
   * A fresh deployment: nodes start without a model, the model is copied into every node's models
   * directory and activated once; each node then answers images with it, and again after a restart.
   * A light node (no models directory) stays on codes.
   */
  @Test
  void aNodeStartedWithoutAModelLoadsTheActivatedModelsNetwork() throws Exception {
    Path models = dir.resolve("models");
    TestModels.writeWithoutNetwork(models, "trained", 8);
    try (DecodePool decodes = new DecodePool(1, 8);
        ReplicaIndex replica = new ReplicaIndex("codes", 8);
        ReplicaIndex light = new ReplicaIndex("codes", 8)) {
      ModelSwitch.Opener opener =
          (modelDir, indexDir) ->
              network(modelDir.getFileName().toString(), replica, decodes, null, null);
      ActiveModel active =
          NodeModelFollower.start(
              replica, new ServingState(dir.resolve("a")), null, models, opener, Duration.ZERO);
      ActiveModel lightActive =
          NodeModelFollower.start(
              light, new ServingState(dir.resolve("b")), null, null, opener, Duration.ZERO);
      assertThat(active.require().encodes()).as("nothing activated yet: codes").isFalse();

      Change activation = new Change(4, Change.Op.ACTIVATE, null, null, "trained", Instant.now());
      replica.apply(List.of(activation));
      light.apply(List.of(activation));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!active.require().encodes()) {
        assertThat(System.nanoTime()).as("the network loads").isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(active.require().encoder().encode(png()).get(10, TimeUnit.SECONDS).code().bits())
          .isEqualTo(8);
      assertThat(lightActive.require().encodes()).isFalse();
      assertThat(lightActive.require().ref().id()).isEqualTo("trained");
      active.require().close();

      // a restart of the node, its replica serving the activated model: loaded at start
      ActiveModel restarted =
          NodeModelFollower.start(
              replica, new ServingState(dir.resolve("a")), null, models, opener, Duration.ZERO);
      assertThat(restarted.require().encodes()).isTrue();
      restarted.require().close();
    }
  }

  /** A network over the replica's served index whose encoder reports when it is closed. */
  private ServingModel network(
      String name,
      ReplicaIndex replica,
      DecodePool decodes,
      CountDownLatch inForward,
      CountDownLatch release) {
    BatchingEncoder batching =
        new BatchingEncoder(
            List.of(new FakeEncoderBackend(8, SPEC, inForward, release)),
            new EncoderOptions(4, Duration.ZERO, 8));
    ImageEncoder encoder =
        new ImageEncoder(
            ImageDecoder.withDefaults(), new ImagePreprocessor(SPEC), batching, decodes, 8);
    return ServingModel.onSharedIndex(
        null,
        encoder,
        replica.served().index(),
        () -> {
          batching.close(); // lets the batch it runs finish first
          closedAt.put(name, Instant.now());
        });
  }

  private static byte[] png() throws Exception {
    BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
