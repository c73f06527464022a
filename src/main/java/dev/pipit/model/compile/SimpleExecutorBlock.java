package dev.pipit.model.compile;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Runs a compiled module with the TorchScript graph executor's optimisation off on the calling
 * thread (a thread-local libtorch setting, on by default in every thread). The compiled program is
 * already a straight line of oneDNN calls, so the profiling executor has nothing to fuse; with it
 * on, batch 1 measured several times slower (docs/benchmarks.md, "Encoder"). The thread's setting
 * is put back to the engine's default afterwards ({@code ai.djl.pytorch.graph_optimizer}, libtorch
 * has no getter), so other TorchScript modules run on the same thread are unaffected.
 */
final class SimpleExecutorBlock extends AbstractBlock {

  private static final byte VERSION = 1;

  private static final boolean ENGINE_DEFAULT =
      "true".equals(System.getProperty("ai.djl.pytorch.graph_optimizer", "true"));

  private final Block module;

  SimpleExecutorBlock(Block module) {
    super(VERSION);
    this.module = module;
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    JniUtils.setGraphExecutorOptimize(false);
    try {
      return module.forward(ps, inputs, training, params);
    } finally {
      JniUtils.setGraphExecutorOptimize(ENGINE_DEFAULT);
    }
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return module.getOutputShapes(inputShapes);
  }
}
