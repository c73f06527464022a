package dev.pipit.encode;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import dev.pipit.model.Architecture;
import dev.pipit.model.BatchNormFolding;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelArtifactException;
import dev.pipit.model.ModelManifest;
import dev.pipit.model.TorchScriptModule;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
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

  private LoadedModel(
      ModelArtifact artifact, Device device, NDManager manager, TorchScriptModule torchScript, ai.djl.nn.Block block) {
    this.artifact = artifact;
    this.preprocessing = Preprocessing.fromManifest(artifact.manifest().preprocessing());
    this.device = device;
    this.manager = manager;
    this.torchScript = torchScript;
    this.block = block;
  }

  /**
   * Loads an artifact onto {@code device}.
   *
   * @throws ModelArtifactException if the architecture cannot be served or the weights do not fit it
   */
  public static LoadedModel load(ModelArtifact artifact, Device device) {
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
      throw new ModelArtifactException("model " + m.name() + ": serving " + m.architecture() + " models is not supported yet");
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

  /** {@code count} backends sharing this model's parameters, one per encoder worker. */
  public List<EncoderBackend> backends(int count) {
    List<EncoderBackend> backends = new ArrayList<>(count);
    int side = artifact.manifest().input().height();
    for (int i = 0; i < count; i++) {
      backends.add(new BlockBackend(block, device, artifact.manifest().bits(), 3, side, side));
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
