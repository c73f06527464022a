package dev.pipit.config;

import dev.pipit.api.ApiLimits;
import dev.pipit.api.ModelsDirectory;
import dev.pipit.encode.BatchingEncoder;
import dev.pipit.encode.EncoderOptions;
import dev.pipit.encode.ImageDecoder;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.encode.ImagePreprocessor;
import dev.pipit.encode.LoadedModel;
import dev.pipit.index.FsyncPolicy;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import dev.pipit.jobs.DemoGallery;
import dev.pipit.jobs.GalleryCodec;
import dev.pipit.jobs.ServingModel;
import dev.pipit.model.EngineDevice;
import dev.pipit.model.ModelArtifact;
import dev.pipit.train.data.Dataset;
import dev.pipit.train.data.DatasetLoader;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

  @Bean
  GalleryCodec galleryCodec() {
    return new GalleryCodec();
  }

  /** Indexes the demo gallery during start-up, so that a ready service can be searched at once. */
  @Bean
  @ConditionalOnProperty("pipit.serving.model")
  DemoGalleryLoaded demoGallery(ServingModel serving, DemoProperties demo) throws Exception {
    if (demo.gallerySize() == 0) {
      return new DemoGalleryLoaded(0);
    }
    Dataset dataset = DatasetLoader.load(demo.dataset(), demo.root());
    return new DemoGalleryLoaded(
        DemoGallery.load(serving, dataset.test(), dataset.classes(), demo.gallerySize(), demo.queries(), demo.queriesDir()));
  }

  /** Marker of a finished demo gallery load. */
  record DemoGalleryLoaded(int indexed) {}

  @Bean
  ModelsDirectory modelsDirectory(StorageProperties storage) {
    return new ModelsDirectory(storage.modelsDir());
  }

  @Bean
  ApiLimits apiLimits(ServingProperties serving) {
    return new ApiLimits(serving.maxK(), serving.maxItems());
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty("pipit.serving.model")
  ServingModel servingModel(ServingProperties serving, StorageProperties storage, EngineDevice engine)
      throws IOException {
    ModelArtifact artifact = ModelArtifact.open(serving.model());
    LoadedModel model = LoadedModel.load(artifact, engine.device(), serving.compile());
    BatchingEncoder batching =
        new BatchingEncoder(
            model.backends(serving.workers()),
            new EncoderOptions(serving.maxBatch(), Duration.ofMillis(serving.maxWaitMillis()), serving.queueCapacity()));
    ImageEncoder encoder =
        new ImageEncoder(
            new ImageDecoder(serving.maxImageBytes(), serving.maxImagePixels()),
            new ImagePreprocessor(model.preprocessing()),
            batching);
    FsyncPolicy fsync =
        serving.groupCommitMillis() == 0 ? FsyncPolicy.always() : FsyncPolicy.group(serving.groupCommitMillis());
    HammingIndex index =
        HammingIndex.open(
            storage.dataDir().resolve("index").resolve(artifact.manifest().name()),
            IndexOptions.of(artifact.manifest().bits(), artifact.fingerprint()).withFsync(fsync));
    log.info("Serving model {} ({} bits, {}, {}) with {} gallery items", artifact.manifest().name(),
        artifact.manifest().bits(), artifact.manifest().architecture(), model.servingPath(), index.size());
    return new ServingModel(model, encoder, index, batching);
  }
}
