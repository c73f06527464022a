package dev.pipit.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.nn.Block;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads a TorchScript module (for example one exported from the official AGMH PyTorch code with
 * {@code torch.jit.trace}) so it can be served as an encoder: its block maps {@code (B, 3, H, W)}
 * to {@code (B, bits)} real outputs, which pipit sign-quantises like its own networks' outputs.
 */
public final class TorchScriptModule implements AutoCloseable {

  private final Model model;

  private TorchScriptModule(Model model) {
    this.model = model;
  }

  /**
   * Loads {@code file} (a {@code .pt} archive written by {@code torch.jit.save}) onto {@code
   * device}.
   *
   * @throws ModelArtifactException if the file is missing or is not a TorchScript archive
   */
  public static TorchScriptModule load(Path file, Device device) {
    if (!Files.isRegularFile(file)) {
      throw new ModelArtifactException("TorchScript file " + file + " does not exist");
    }
    String name = file.getFileName().toString();
    if (!name.endsWith(".pt")) {
      throw new ModelArtifactException("TorchScript file " + file + " must end in .pt");
    }
    Model model = Model.newInstance(name, device, EngineDevice.ENGINE);
    try {
      model.load(file.toAbsolutePath().getParent(), name.substring(0, name.length() - 3), Map.of());
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new ModelArtifactException(
          "cannot load TorchScript module " + file + ": " + e.getMessage(), e);
    }
    return new TorchScriptModule(model);
  }

  /** The module as a DJL block (a {@code PtSymbolBlock}); valid until {@link #close()}. */
  public Block block() {
    return model.getBlock();
  }

  @Override
  public void close() {
    model.close();
  }
}
