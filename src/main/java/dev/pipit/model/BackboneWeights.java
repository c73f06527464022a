package dev.pipit.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The ImageNet weights a network's backbone starts from, and their layout: the shipped Keras
 * ResNet-50 (a TF.js {@code model.json}, {@link ResNet50.Style#KERAS_V1}) or a user's torchvision
 * ResNet-50 (safetensors or TorchScript, {@link ResNet50.Style#TORCHVISION_V15}).
 *
 * @param file the weights: {@code model.json} for Keras, the safetensors or TorchScript file for
 *     torchvision
 * @param layout the backbone layout the weights belong to
 */
public record BackboneWeights(Path file, ResNet50.Style layout) {

  /** Validates the fields. */
  public BackboneWeights {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(layout, "layout");
  }

  /** The shipped Keras weights at {@code modelJson}. */
  public static BackboneWeights keras(Path modelJson) {
    return new BackboneWeights(modelJson, ResNet50.Style.KERAS_V1);
  }

  /**
   * Copies the weights into {@code backbone}, which must have been built in {@link #layout()}.
   *
   * @throws ModelArtifactException naming what does not fit
   */
  public void importInto(ResNet50 backbone) throws IOException {
    if (backbone.style() != layout) {
      throw new IllegalArgumentException(
          "weights in the "
              + layout.id()
              + " layout do not fit a "
              + backbone.style()
              + " backbone");
    }
    switch (layout) {
      case KERAS_V1 -> KerasResNet50Importer.importBackbone(file, backbone);
      case TORCHVISION_V15 -> TorchvisionResNet50Importer.importBackbone(file, backbone);
    }
  }

  /**
   * The weights' identity for feature caches and provenance ({@link BackboneReference#SETTING}):
   * the TF.js directory's digest for Keras, the file's sha256 for torchvision.
   */
  public String id() throws IOException {
    return switch (layout) {
      case KERAS_V1 -> BackboneReference.id(file);
      case TORCHVISION_V15 -> BackboneReference.fileSha256(file);
    };
  }
}
