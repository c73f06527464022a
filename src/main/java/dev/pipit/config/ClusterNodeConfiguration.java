package dev.pipit.config;

import dev.pipit.cluster.node.ActivationJobs;
import dev.pipit.cluster.node.ClusterNode;
import dev.pipit.cluster.node.NodeGalleryWrites;
import dev.pipit.cluster.node.NodeProperties;
import dev.pipit.cluster.node.PostgresOriginals;
import dev.pipit.encode.DecodePool;
import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.GalleryCodec;
import dev.pipit.gallery.GalleryWrites;
import dev.pipit.gallery.ImageStore;
import dev.pipit.gallery.OriginalsCache;
import dev.pipit.gallery.SharedOriginals;
import dev.pipit.metrics.EncoderMeters;
import dev.pipit.metrics.OriginalsCacheMeters;
import dev.pipit.metrics.ReplicationMeters;
import dev.pipit.model.EngineDevice;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelManifest;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The service as one shard replica of a cluster ({@code pipit.cluster.mode=node}): PostgreSQL is
 * the system of record, the served index is the replica the change log feeds, and gallery writes go
 * through the store ({@link NodeGalleryWrites}). Every route is the standalone service's; what
 * differs is wired here. Without {@code pipit.serving.model} the node loads no network and serves
 * codes only ({@code pipit.cluster.code-bits}, {@code pipit.cluster.code-model}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "pipit.cluster.mode", havingValue = "node")
@EnableConfigurationProperties(NodeProperties.class)
class ClusterNodeConfiguration {

  // originals read, encoded and written together by an activation (one transaction per batch)
  private static final int ACTIVATION_BATCH = 64;

  /**
   * Migrates the schema, restores the local snapshot and starts the tail (before the model); a
   * graceful stop writes the snapshot.
   */
  @Bean(destroyMethod = "shutdown")
  ClusterNode clusterNode(
      NodeProperties cluster, ServingProperties serving, StorageProperties storage)
      throws Exception {
    String model = cluster.codeModel();
    int bits = cluster.codeBits();
    if (serving.model() != null) {
      ModelManifest manifest = ModelArtifact.open(serving.model()).manifest();
      model = manifest.name();
      bits = manifest.bits();
    }
    return ClusterNode.start(cluster.settings(storage.dataDir(), model, bits));
  }

  @Bean
  SharedOriginals sharedOriginals(ClusterNode node) {
    return new PostgresOriginals(node.store());
  }

  /** This node's copies of the originals in PostgreSQL, LRU within a bound. */
  @Bean
  OriginalsCache originalsCache(
      ImageStore images, SharedOriginals originals, NodeProperties cluster) throws IOException {
    return OriginalsCache.open(images, originals, cluster.originalsCacheBytes().toBytes());
  }

  @Bean
  OriginalsCacheMeters originalsCacheMeters(OriginalsCache cache, MeterRegistry registry) {
    return new OriginalsCacheMeters(cache, registry);
  }

  @Bean
  GalleryWrites nodeGalleryWrites(
      ClusterNode node,
      ActiveModel active,
      GalleryCodec codec,
      ServingProperties serving,
      OriginalsCache images,
      SharedOriginals originals) {
    return new NodeGalleryWrites(
        node, active, codec, Duration.ofMillis(serving.requestTimeoutMillis()), images, originals);
  }

  /**
   * Activations that re-encode kept originals first; a node without {@code pipit.serving.model}
   * loads no network and activates only models whose codes are all written.
   */
  @Bean(destroyMethod = "close")
  ActivationJobs activationJobs(
      ClusterNode node,
      ServingProperties serving,
      EngineDevice engine,
      DecodePool decodePool,
      EncoderMeters encoderMeters) {
    ActivationJobs.Networks networks =
        serving.model() == null
            ? null
            : ServingConfiguration.activationNetworks(serving, engine, decodePool, encoderMeters);
    return new ActivationJobs(node, networks, ACTIVATION_BATCH);
  }

  @Bean("replication")
  ReplicationHealthIndicator replication(ClusterNode node) {
    return new ReplicationHealthIndicator(node);
  }

  @Bean
  ReplicationMeters replicationMeters(ClusterNode node, MeterRegistry registry) {
    return new ReplicationMeters(node, registry);
  }
}
