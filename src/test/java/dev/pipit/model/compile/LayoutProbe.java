package dev.pipit.model.compile;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.pipit.model.Architecture;
import dev.pipit.model.BatchNormFolding;
import dev.pipit.model.EngineDefaults;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.InferenceScope;
import java.util.Locale;

/**
 * Manual probe: compiles AGMH in every layout and prints images/s of each next to the eager blocks.
 */
final class LayoutProbe {

  private LayoutProbe() {}

  public static void main(String[] args) throws Exception {
    EngineDefaults.applyOfflineDefaults();
    EngineDefaults.applyThreads(1, 2);
    int side = 224;
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = Architecture.AGMH.build(48);
      net.initialize(manager, side, 68);
      BatchNormFolding.fold(net);
      JniUtils.setGraphExecutorOptimize(Boolean.getBoolean("probe.optimize"));
      time("eager", net, manager, side);
      for (String name :
          args.length > 0 ? args : new String[] {"MKLDNN", "DENSE_FUSED", "CHANNELS_LAST_FUSED"}) {
        ServingProgram.Layout layout = ServingProgram.Layout.valueOf(name);
        try (CompiledNetwork c = ServingCompiler.compile(net, Device.cpu(), side, layout)) {
          System.out.println(c.description());
          time(name, c.block(), manager, side);
        } catch (RuntimeException e) {
          System.out.println(
              name
                  + " failed: "
                  + e.getMessage().lines().limit(12).reduce("", (a, b) -> a + "\n  " + b));
        }
      }
    }
  }

  private static void time(String name, Block block, NDManager manager, int side) {
    for (int b :
        Integer.getInteger("probe.b32", 0) == 1 ? new int[] {8, 1, 32} : new int[] {8, 1}) {
      int iters = b == 1 ? 10 : b == 8 ? 2 : 1;
      double best = 0;
      for (int rep = 0; rep < 3; rep++) {
        try (NDManager scope = manager.newSubManager();
            InferenceScope s = InferenceScope.enter()) {
          NDList x = new NDList(scope.randomNormal(new Shape(b, 3, side, side)));
          for (int w = 0; w < 3; w++) {
            block.forward(new ParameterStore(scope, false), x, false).close();
          }
          long t0 = System.nanoTime();
          for (int i = 0; i < iters; i++) {
            block.forward(new ParameterStore(scope, false), x, false).close();
          }
          best = Math.max(best, iters * b / ((System.nanoTime() - t0) / 1e9));
        }
      }
      System.out.printf(Locale.ROOT, "probe %s batch=%d %.1f img/s%n", name, b, best);
    }
  }
}
