package dev.pipit.model;

import java.util.Locale;

/** The deep-hashing networks pipit can build, by their identifiers in manifests and the API. */
public enum Architecture {
  /**
   * AGMH (Lu et al., ACM MM 2023): six attribute descriptors, SIEA + Attention Dispersion Loss in
   * training.
   */
  AGMH("agmh"),
  /**
   * FCAENet (Zhao et al., PR 2022): pooled backbone + hash layer; exposes the last feature map for
   * SREM.
   */
  FCAENET("fcaenet"),
  /** ADSH with a ResNet-50: pooled backbone + hash layer, the plain baseline. */
  ADSH_R50("adsh-r50");

  /** Longest code a network may produce. */
  public static final int MAX_BITS = 1024;

  private final String id;

  Architecture(String id) {
    this.id = id;
  }

  /** Identifier in manifests and the API ({@code agmh}, {@code fcaenet}, {@code adsh-r50}). */
  public String id() {
    return id;
  }

  /**
   * Looks an architecture up by {@link #id()} (case-insensitive).
   *
   * @throws IllegalArgumentException for an unknown id
   */
  public static Architecture fromId(String id) {
    String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
    for (Architecture a : values()) {
      if (a.id.equals(wanted)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown architecture '" + id + "'; known: agmh, fcaenet, adsh-r50");
  }

  /**
   * Builds the network a model artifact describes: its architecture, code length, AGMH head shape
   * and backbone layout ({@link ResNet50.Style#of(ModelManifest)}).
   */
  public static HashingNetwork build(ModelManifest manifest) {
    return fromId(manifest.architecture())
        .build(manifest.bits(), ResNet50.Style.of(manifest), AgmhShape.of(manifest));
  }

  /** Builds the network with a Keras-layout backbone (the shipped ImageNet weights fit it). */
  public HashingNetwork build(int bits) {
    return build(bits, ResNet50.Style.KERAS_V1);
  }

  /**
   * Builds the network; parameters are not initialised yet ({@link HashingNetwork#initialize}).
   *
   * @param bits code length K, 1..{@value #MAX_BITS}
   * @param backbone layout of the ResNet-50
   */
  public HashingNetwork build(int bits, ResNet50.Style backbone) {
    return build(bits, backbone, AgmhShape.PAPER);
  }

  /**
   * Builds the network with AGMH's head in {@code head}'s shape (the other architectures have no
   * such head and ignore it); parameters are not initialised yet.
   */
  public HashingNetwork build(int bits, ResNet50.Style backbone, AgmhShape head) {
    return switch (this) {
      case AGMH ->
          AgmhNetwork.builder()
              .setBits(bits)
              .optBackbone(backbone)
              .optDescriptors(head.descriptors())
              .optDescriptorChannels(head.channels())
              .optMemory(head.memory())
              .optSteps(head.steps())
              .build();
      case FCAENET, ADSH_R50 -> new PooledHashNetwork(this, bits, backbone);
    };
  }
}
