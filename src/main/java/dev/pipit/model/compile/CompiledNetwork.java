package dev.pipit.model.compile;

import ai.djl.nn.Block;
import dev.pipit.model.TorchScriptModule;

/**
 * A pipit network compiled by {@link ServingCompiler}: a loaded, prepacked TorchScript module whose
 * block maps {@code (B, 3, H, W)} to {@code (B, bits)} like the network's serving path. Close it to
 * free the native memory.
 */
public final class CompiledNetwork implements AutoCloseable {

  private final TorchScriptModule module;
  private final Block block;
  private final String description;
  private final double maxDifference;

  CompiledNetwork(TorchScriptModule module, Block block, String description, double maxDifference) {
    this.module = module;
    this.block = block;
    this.description = description;
    this.maxDifference = maxDifference;
  }

  /**
   * The module as a DJL block that runs it with the graph executor's optimisation off ({@link
   * SimpleExecutorBlock}); valid until {@link #close()}.
   */
  public Block block() {
    return block;
  }

  /** What was compiled, for logs: layout, number of convolutions, checked difference. */
  public String description() {
    return description;
  }

  /** Largest |u| difference from the eager blocks on the probe images checked at compile time. */
  public double maxDifference() {
    return maxDifference;
  }

  @Override
  public void close() {
    module.close();
  }
}
