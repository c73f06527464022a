package dev.pipit.gallery;

import dev.pipit.encode.ImageEncoder;
import dev.pipit.encode.LoadedModel;
import dev.pipit.index.HammingIndex;
import dev.pipit.model.ModelManifest;
import java.io.IOException;

/**
 * The model the service answers with and the gallery index of its codes: one model at a time, and
 * the index only ever holds codes of that model (its files carry the model's fingerprint).
 */
public final class ServingModel implements AutoCloseable {

  private final LoadedModel model;
  private final ImageEncoder encoder;
  private final HammingIndex index;
  private final AutoCloseable encoderResources;
  private final ModelRef codesOnly;
  private final boolean ownsIndex;

  /**
   * @param model the loaded artifact
   * @param encoder its image encoder
   * @param index the gallery index opened with the model's bits and fingerprint
   * @param encoderResources closed with this (the batching encoder)
   */
  public ServingModel(
      LoadedModel model, ImageEncoder encoder, HammingIndex index, AutoCloseable encoderResources) {
    this(model, encoder, index, encoderResources, true);
  }

  private ServingModel(
      LoadedModel model,
      ImageEncoder encoder,
      HammingIndex index,
      AutoCloseable encoderResources,
      boolean ownsIndex) {
    this.model = model;
    this.encoder = encoder;
    this.index = index;
    this.encoderResources = encoderResources;
    this.codesOnly = null;
    this.ownsIndex = ownsIndex;
  }

  /**
   * A model serving an index that something else owns and closes (a cluster node's replica, fed by
   * the change log): closing this closes the encoder and the model only.
   */
  public static ServingModel onSharedIndex(
      LoadedModel model, ImageEncoder encoder, HammingIndex index, AutoCloseable encoderResources) {
    return new ServingModel(model, encoder, index, encoderResources, false);
  }

  private ServingModel(ModelRef ref, HammingIndex index) {
    this.model = null;
    this.encoder = null;
    this.index = index;
    this.encoderResources = () -> {};
    this.codesOnly = ref;
    this.ownsIndex = false;
  }

  /**
   * A gallery of {@code ref}'s codes served without the model itself: searches and writes by code
   * only, by image 503. A cluster node started without {@code pipit.serving.model} is one (cheap to
   * start: no network is loaded). The index is not closed with it (the node owns it).
   */
  public static ServingModel codesOnly(ModelRef ref, HammingIndex index) {
    return new ServingModel(ref, index);
  }

  /** Whether images can be encoded (false for {@link #codesOnly}). */
  public boolean encodes() {
    return encoder != null;
  }

  /** How responses name the model. */
  public ModelRef ref() {
    if (codesOnly != null) {
      return codesOnly;
    }
    ModelManifest m = model.artifact().manifest();
    return new ModelRef(m.name(), m.architecture(), m.bits(), model.artifact().fingerprint());
  }

  /** The image encoder of the model. */
  public ImageEncoder encoder() {
    if (encoder == null) {
      throw new NoModelServingException(
          "this node serves codes of "
              + codesOnly.id()
              + " only: no model is loaded to encode images");
    }
    return encoder;
  }

  /** The gallery index. */
  public HammingIndex index() {
    return index;
  }

  /** The loaded model. */
  public LoadedModel model() {
    return model;
  }

  @Override
  public void close() throws Exception {
    encoderResources.close();
    try {
      if (ownsIndex) {
        index.close();
      }
    } catch (IOException e) {
      throw new IllegalStateException("closing the index failed", e);
    } finally {
      if (model != null) {
        model.close();
      }
    }
  }
}
