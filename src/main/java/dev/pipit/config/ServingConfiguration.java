package dev.pipit.config;

import dev.pipit.api.ApiLimits;
import dev.pipit.api.StorageLocations;
import dev.pipit.cluster.node.ActivationJobs;
import dev.pipit.cluster.node.ClusterNode;
import dev.pipit.cluster.node.NodeProperties;
import dev.pipit.encode.BatchingEncoder;
import dev.pipit.encode.DecodePool;
import dev.pipit.encode.EncoderListener;
import dev.pipit.encode.EncoderOptions;
import dev.pipit.encode.ImageDecoder;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.encode.ImagePreprocessor;
import dev.pipit.encode.LoadedModel;
import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.DemoGallery;
import dev.pipit.gallery.GalleryCodec;
import dev.pipit.gallery.GalleryDatasetExport;
import dev.pipit.gallery.GalleryItems;
import dev.pipit.gallery.GalleryListener;
import dev.pipit.gallery.GallerySearch;
import dev.pipit.gallery.GalleryWrites;
import dev.pipit.gallery.ImageStore;
import dev.pipit.gallery.LocalGalleryWrites;
import dev.pipit.gallery.ModelCatalog;
import dev.pipit.gallery.ModelSwitch;
import dev.pipit.gallery.ServingModel;
import dev.pipit.gallery.ServingStartup;
import dev.pipit.gallery.ServingState;
import dev.pipit.index.FsyncPolicy;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexListener;
import dev.pipit.index.IndexOptions;
import dev.pipit.index.SnapshotPolicy;
import dev.pipit.metrics.EncoderMeters;
import dev.pipit.metrics.GalleryMeters;
import dev.pipit.metrics.IndexMeters;
import dev.pipit.metrics.ServingMetrics;
import dev.pipit.metrics.StageSpans;
import dev.pipit.model.EngineDevice;
import dev.pipit.model.ModelArtifact;
import dev.pipit.train.data.Dataset;
import dev.pipit.train.data.DatasetLoader;
import dev.pipit.train.data.DatasetSplit;
import io.micrometer.tracing.Tracer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Loads the configured model and recovers its gallery index before the service reports ready: the
 * bean is created during start-up, so readiness stays DOWN until both are done.
 */
@Configuration(proxyBeanMethods = false)
class ServingConfiguration {

  private static final Logger log = LoggerFactory.getLogger(ServingConfiguration.class);

  /** How long a retired model stays open for requests that still hold it. */
  private static final Duration SWITCH_CLOSE_GRACE = Duration.ofSeconds(10);

  @Bean
  GalleryCodec galleryCodec() {
    return new GalleryCodec();
  }

  @Bean
  ServingState servingState(StorageProperties storage) {
    return new ServingState(storage.dataDir());
  }

  @Bean
  ImageStore imageStore(StorageProperties storage) throws IOException {
    return ImageStore.open(storage.dataDir().resolve("originals"), storage.maxOriginalBytes());
  }

  /** Decoding of uploads, shared by every model served (and a switch's re-encoding). */
  @Bean(destroyMethod = "close")
  DecodePool decodePool(ServingProperties serving) {
    return new DecodePool(serving.decodeThreads(), serving.decodeQueueCapacity());
  }

  @Bean
  ModelSwitch.Opener servingModelOpener(
      ServingProperties serving,
      StorageProperties storage,
      EngineDevice engine,
      DecodePool decodePool,
      EncoderMeters encoderMeters,
      IndexMeters indexMeters,
      ObjectProvider<ClusterNode> cluster) {
    Meters meters = new Meters(encoderMeters, indexMeters);
    ClusterNode node = cluster.getIfAvailable();
    return (modelDir, indexDir) ->
        open(serving, storage, engine, decodePool, meters, modelDir, indexDir, node);
  }

  /** Where every served model's encoder and index report. */
  private record Meters(EncoderListener encoder, IndexListener index) {}

  /**
   * The model served at start ({@link ServingStartup}): the one a completed switch recorded, else
   * {@code pipit.serving.model}, else none (search and index answer 503); a recorded model that
   * cannot be served falls back to the default or leaves the service not ready, with the reason.
   * Also rebuilds which kept originals the gallery refers to.
   */
  @Bean(destroyMethod = "close")
  ActiveModel activeModel(
      ServingProperties serving,
      ServingState state,
      StorageProperties storage,
      ModelSwitch.Opener opener,
      ImageStore store,
      GalleryCodec codec,
      ObjectProvider<ClusterNode> cluster,
      ObjectProvider<NodeProperties> nodeProperties)
      throws Exception {
    ClusterNode node = cluster.getIfAvailable();
    if (node != null) {
      // An activation in the change log switches what this node serves at its sequence: a node
      // with a network, or started without a model, loads the activated model's from the models
      // directory; a light node, or one without that artifact, serves the new model's codes by
      // code only (images 503).
      boolean loadsNetworks = serving.model() != null || nodeProperties.getObject().loadNetworks();
      return NodeModelFollower.start(
          node.replica(),
          state,
          serving.model(),
          loadsNetworks ? storage.modelsDir() : null,
          opener,
          SWITCH_CLOSE_GRACE);
    }
    ActiveModel active = ServingStartup.open(state, serving.model(), opener);
    active
        .current()
        .ifPresent(
            model ->
                model.index().forEach(entry -> store.retain(codec.read(entry.payload()).image())));
    if (active.startupNote().isEmpty()) {
      store.sweep();
    } else {
      // the recorded gallery is not loaded, so its originals look unreferenced: keep them
      log.warn("Kept originals not swept: the recorded gallery is not being served");
    }
    return active;
  }

  @Bean
  GalleryItems galleryItems(
      ActiveModel active, ImageStore store, GalleryCodec codec, ServingProperties serving) {
    return new GalleryItems(
        active, store, codec, Duration.ofMillis(serving.requestTimeoutMillis()));
  }

  /** Standalone mode's writes; a cluster node has its own (ClusterNodeConfiguration). */
  @Bean
  @ConditionalOnProperty(
      name = "pipit.cluster.mode",
      havingValue = "standalone",
      matchIfMissing = true)
  GalleryWrites localGalleryWrites(GalleryItems items) {
    return new LocalGalleryWrites(items);
  }

  @Bean(destroyMethod = "close")
  ModelSwitch modelSwitch(
      ActiveModel active,
      ImageStore store,
      GalleryCodec codec,
      ModelSwitch.Opener opener,
      ServingState state,
      GalleryMeters meters,
      ServingMetrics servingMetrics) {
    GalleryListener listener =
        new GalleryListener() {
          @Override
          public void switchEnded(ModelSwitch.State end, long nanos) {
            meters.switchEnded(end, nanos);
            servingMetrics.refreshServing();
          }
        };
    return new ModelSwitch(active, store, codec, opener, state, SWITCH_CLOSE_GRACE, listener);
  }

  /** Indexes the demo gallery during start-up, so that a ready service can be searched at once. */
  @Bean
  DemoGalleryLoaded demoGallery(
      ActiveModel active,
      GalleryItems items,
      DemoProperties demo,
      ObjectProvider<ClusterNode> cluster)
      throws Exception {
    // a cluster node's gallery is PostgreSQL's: nothing is indexed behind the change log's back
    if (demo.gallerySize() == 0 || active.current().isEmpty() || cluster.getIfAvailable() != null) {
      return new DemoGalleryLoaded(0);
    }
    Dataset dataset = DatasetLoader.load(demo.dataset(), demo.root());
    return new DemoGalleryLoaded(
        DemoGallery.load(
            active,
            items,
            demoImages(dataset),
            demo.gallerySize(),
            demo.queries(),
            demo.queriesDir()));
  }

  /**
   * A dataset's test split as the demo gallery's images: the wiring is where train meets gallery.
   */
  private static DemoGallery.Images demoImages(Dataset dataset) {
    DatasetSplit test = dataset.test();
    return DemoGallery.Images.of(
        test.size(), test::label, dataset.classes(), test::id, test::image);
  }

  /** Marker of a finished demo gallery load. */
  record DemoGalleryLoaded(int indexed) {}

  @Bean
  GalleryDatasetExport galleryDatasetExport(
      ActiveModel active, ImageStore store, GalleryCodec codec) {
    return new GalleryDatasetExport(active, store, codec, 5);
  }

  @Bean
  StorageLocations storageLocations(StorageProperties storage) {
    return new StorageLocations(storage.dataDir().resolve("datasets"));
  }

  /** Search stages go to the meters and, as child spans of the request, to the tracer. */
  @Bean
  GallerySearch gallerySearch(
      ActiveModel active,
      GalleryCodec codec,
      ServingProperties serving,
      GalleryMeters meters,
      ObjectProvider<Tracer> tracer) {
    Tracer spans = tracer.getIfAvailable();
    GalleryListener listener =
        spans == null ? meters : new StageSpans(spans, meters, Clock.systemUTC());
    return new GallerySearch(
        active,
        codec,
        serving.maxK(),
        Duration.ofMillis(serving.requestTimeoutMillis()),
        serving.rescore(),
        serving.rescoreWindow(),
        listener);
  }

  @Bean
  ModelCatalog modelCatalog(StorageProperties storage, ActiveModel active) {
    return new ModelCatalog(storage.modelsDir(), active);
  }

  @Bean
  ApiLimits apiLimits(ServingProperties serving) {
    return new ApiLimits(serving.maxItems());
  }

  private static BatchingEncoder batching(
      ServingProperties serving, LoadedModel model, EncoderListener listener) {
    return new BatchingEncoder(
        model.backends(serving.workers()),
        new EncoderOptions(
            serving.maxBatch(),
            Duration.ofMillis(serving.maxWaitMillis()),
            serving.queueCapacity()),
        listener::batch);
  }

  private static ImageEncoder encoder(
      ServingProperties serving,
      DecodePool decodePool,
      LoadedModel model,
      BatchingEncoder batching,
      EncoderListener listener) {
    return new ImageEncoder(
        new ImageDecoder(
            serving.maxImageBytes(),
            serving.maxImagePixels(),
            serving.maxJpegScans(),
            serving.maxDecodeWork()),
        new ImagePreprocessor(model.preprocessing()),
        batching,
        decodePool,
        serving.queueCapacity(),
        listener);
  }

  /**
   * A cluster activation's networks: the artifact's network and an encoder of its own (as a served
   * model's, batching included), for re-encoding kept originals before the activation.
   */
  static ActivationJobs.Networks activationNetworks(
      ServingProperties serving,
      EngineDevice engine,
      DecodePool decodePool,
      EncoderListener listener) {
    return modelDir -> {
      LoadedModel model =
          LoadedModel.load(ModelArtifact.open(modelDir), engine.device(), serving.compile());
      try {
        BatchingEncoder batching = batching(serving, model, listener);
        ImageEncoder encoder = encoder(serving, decodePool, model, batching, listener);
        return new ActivationJobs.Network() {
          @Override
          public ImageEncoder encoder() {
            return encoder;
          }

          @Override
          public void close() throws Exception {
            try {
              batching.close();
            } finally {
              model.close();
            }
          }
        };
      } catch (RuntimeException e) {
        model.close();
        throw e;
      }
    };
  }

  private static ServingModel open(
      ServingProperties serving,
      StorageProperties storage,
      EngineDevice engine,
      DecodePool decodePool,
      Meters meters,
      Path modelDir,
      Path indexDir,
      ClusterNode node)
      throws IOException {
    ModelArtifact artifact = ModelArtifact.open(modelDir);
    if (node != null && !node.replica().served().modelId().equals(artifact.manifest().name())) {
      throw new IllegalStateException(
          "a cluster node serves "
              + node.replica().served().modelId()
              + "; model switches in cluster mode go through the database, not "
              + modelDir);
    }
    LoadedModel model = LoadedModel.load(artifact, engine.device(), serving.compile());
    BatchingEncoder batching = batching(serving, model, meters.encoder());
    ImageEncoder encoder = encoder(serving, decodePool, model, batching, meters.encoder());
    if (node != null) {
      // the replica the change log feeds: a node writes no log of its own for gallery items
      log.info(
          "Serving model {} ({} bits) on the cluster replica of shard {}",
          artifact.manifest().name(),
          artifact.manifest().bits(),
          node.shard());
      return ServingModel.onSharedIndex(model, encoder, node.replica().served().index(), batching);
    }
    FsyncPolicy fsync =
        serving.groupCommitMillis() == 0
            ? FsyncPolicy.always()
            : FsyncPolicy.group(serving.groupCommitMillis());
    HammingIndex index =
        HammingIndex.open(
            indexDir,
            IndexOptions.of(artifact.manifest().bits(), artifact.fingerprint())
                .withFsync(fsync)
                .withMaxCoalesced(serving.maxCoalescedSearches())
                .withMaxPayloadBytes(storage.payloadBudgetBytes())
                .withSnapshots(
                    new SnapshotPolicy(
                        storage.snapshotEveryRecords(),
                        storage.snapshotLogSize().toBytes(),
                        storage.snapshotInterval())),
            meters.index());
    log.info(
        "Serving model {} ({} bits, {}, {}) with {} gallery items",
        artifact.manifest().name(),
        artifact.manifest().bits(),
        artifact.manifest().architecture(),
        model.servingPath(),
        index.size());
    return new ServingModel(model, encoder, index, batching);
  }
}
