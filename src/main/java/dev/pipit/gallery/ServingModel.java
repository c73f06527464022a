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

  /**
   * @param model the loaded artifact
   * @param encoder its image encoder
   * @param index the gallery index opened with the model's bits and fingerprint
   * @param encoderResources closed with this (the batching encoder)
   */
  public ServingModel(
      LoadedModel model, ImageEncoder encoder, HammingIndex index, AutoCloseable encoderResources) {
    this.model = model;
    this.encoder = encoder;
    this.index = index;
    this.encoderResources = encoderResources;
  }

  /** How responses name the model. */
  public ModelRef ref() {
    ModelManifest m = model.artifact().manifest();
    return new ModelRef(m.name(), m.architecture(), m.bits(), model.artifact().fingerprint());
  }

  /** The image encoder of the model. */
  public ImageEncoder encoder() {
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
      index.close();
    } catch (IOException e) {
      throw new IllegalStateException("closing the index failed", e);
    } finally {
      model.close();
    }
  }
}
