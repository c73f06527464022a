package dev.pipit.model.compile;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.training.ParameterStore;
import dev.pipit.model.BatchNormFolding;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.InferenceScope;
import dev.pipit.model.TorchScriptModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Compiles a pipit network's serving path into a TorchScript module that runs on oneDNN with
 * prepacked kernels and activations kept in oneDNN's blocked layout between layers ({@link
 * ServingProgram}), which DJL 0.25's eager ops cannot express: eager convolutions take plain
 * tensors, so every call reorders its kernel (and its input and output) between the plain and the
 * blocked layout.
 *
 * <p>Steps: fold BN (if not yet), write the program as a TorchScript archive (pure Java), load it
 * through DJL, run its {@code prepack()} method once, then check it against the eager blocks on
 * random probe images; any failure is an exception whose message says why, so the caller can serve
 * the eager blocks.
 */
public final class ServingCompiler {

  /** Largest |u| difference from the eager path accepted on the probe images. */
  public static final double TOLERANCE = 1e-4;

  private static final long PROBE_SEED = 20261123L;
  private static final int PROBES = 2;

  private ServingCompiler() {}

  /**
   * Compiles {@code network} (initialised, weights loaded) for inputs {@code side×side} on the CPU.
   *
   * @throws CompileException if the device is not the CPU, the network has no serving program, or
   *     the compiled module fails to load, prepack or agree with the eager path
   */
  public static CompiledNetwork compile(HashingNetwork network, Device device, int side) {
    return compile(network, device, side, ServingProgram.Layout.MKLDNN);
  }

  static CompiledNetwork compile(
      HashingNetwork network, Device device, int side, ServingProgram.Layout layout) {
    if (!Device.Type.CPU.equals(device.getDeviceType())) {
      throw new CompileException("oneDNN kernels run on the CPU only, the model is on " + device);
    }
    long start = System.nanoTime();
    if (BatchNormFolding.units(network).stream().anyMatch(u -> !u.isFolded())) {
      BatchNormFolding.fold(network);
    }
    ServingProgram program;
    try {
      program = ServingProgram.of(network, layout);
    } catch (IllegalArgumentException e) {
      throw new CompileException(e.getMessage(), e);
    }
    TorchScriptModule module = load(program, device);
    try {
      try (IValue none = IValueUtils.runMethod((PtSymbolBlock) module.block(), "prepack")) {
        // prepack() returns None; the kernels are now in oneDNN's layout inside the module
      }
      Block block = new SimpleExecutorBlock(module.block());
      double diff = maxDifference(network, block, device, side);
      if (!(diff <= TOLERANCE)) {
        throw new CompileException("compiled module differs from the eager network by " + diff);
      }
      String description =
          String.format(
              Locale.ROOT,
              "TorchScript/oneDNN (%s layout, %d tensors, prepacked), max |u| diff from eager %.1e"
                  + " on %d probe images, compiled in %.1f s",
              layout.name().toLowerCase(Locale.ROOT),
              program.attributes().size(),
              diff,
              PROBES,
              (System.nanoTime() - start) / 1e9);
      return new CompiledNetwork(module, block, description, diff);
    } catch (RuntimeException e) {
      module.close();
      throw e instanceof CompileException ce ? ce : new CompileException(e.getMessage(), e);
    }
  }

  private static TorchScriptModule load(ServingProgram program, Device device) {
    Path dir = null;
    Path file = null;
    try {
      dir = Files.createTempDirectory("pipit-serving");
      file = dir.resolve("serving.pt");
      ScriptArchiveWriter.write(file, ServingProgram.CLASS, program.source(), program.attributes());
      return TorchScriptModule.load(file, device);
    } catch (IOException | RuntimeException e) {
      throw new CompileException(
          "cannot write or load the TorchScript module: " + e.getMessage(), e);
    } finally {
      deleteQuietly(file);
      deleteQuietly(dir);
    }
  }

  private static double maxDifference(
      HashingNetwork network, Block compiledBlock, Device device, int side) {
    Random random = new Random(PROBE_SEED);
    float[] images = new float[PROBES * 3 * side * side];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) random.nextGaussian();
    }
    try (NDManager manager = NDManager.newBaseManager(device);
        InferenceScope scope = InferenceScope.enter()) {
      NDArray x = manager.create(images, new Shape(PROBES, 3, side, side));
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray eager = network.forward(ps, new NDList(x), false).singletonOrThrow();
      NDArray compiled = compiledBlock.forward(ps, new NDList(x), false).singletonOrThrow();
      if (!compiled.getShape().equals(eager.getShape())) {
        throw new CompileException(
            "compiled module returned " + compiled.getShape() + ", eager " + eager.getShape());
      }
      return eager.sub(compiled).abs().max().getFloat();
    }
  }

  private static void deleteQuietly(Path path) {
    if (path != null) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        path.toFile().deleteOnExit();
      }
    }
  }
}
