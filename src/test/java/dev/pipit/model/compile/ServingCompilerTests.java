package dev.pipit.model.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.pipit.model.Architecture;
import dev.pipit.model.BatchNormFolding;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.Safetensors;
import dev.pipit.model.TorchScriptArchive;
import dev.pipit.model.TorchScriptModule;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive writer against libtorch's loader and pipit's own archive reader, and the compiler's
 * refusals. Parity of compiled networks with PyTorch: {@code PyTorchParityTests}.
 */
class ServingCompilerTests {

  @TempDir Path dir;

  private static Map<String, ScriptArchiveWriter.Tensor> attributes() {
    Map<String, ScriptArchiveWriter.Tensor> a = new LinkedHashMap<>();
    a.put("scale", new ScriptArchiveWriter.Tensor(new float[] {2, 3, 4}, new long[] {3}));
    a.put(
        "shift", new ScriptArchiveWriter.Tensor(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}));
    return a;
  }

  private static final String SOURCE =
      """
      class Affine(Module):
        __parameters__ = []
        __buffers__ = []
        training : bool
        scale : Tensor
        shift : Tensor
        def forward(self: __torch__.Affine,
          x: Tensor) -> Tensor:
          return torch.add(torch.mul(x, self.scale), self.shift)
      """;

  @Test
  void libtorchLoadsAWrittenArchiveAndRunsItsCodeOnItsTensors() throws Exception {
    Path file = dir.resolve("affine.pt");
    ScriptArchiveWriter.write(file, "Affine", SOURCE, attributes());

    try (TorchScriptModule module = TorchScriptModule.load(file, Device.cpu());
        NDManager manager = NDManager.newBaseManager()) {
      float[] x = {1, 1, 1, 10, 20, 30};
      float[] y =
          module
              .block()
              .forward(
                  new ParameterStore(manager, false),
                  new NDList(manager.create(x, new Shape(2, 3))),
                  false)
              .singletonOrThrow()
              .toFloatArray();

      assertThat(y).containsExactly(new float[] {3, 5, 7, 24, 65, 126}, Offset.offset(0f));
    }
  }

  @Test
  void pipitsArchiveReaderReadsTheWrittenTensorsBack() throws Exception {
    Path file = dir.resolve("affine.pt");
    ScriptArchiveWriter.write(file, "Affine", SOURCE, attributes());

    Map<String, Safetensors.Tensor> tensors = TorchScriptArchive.read(file).tensors();

    assertThat(tensors).containsOnlyKeys("scale", "shift");
    assertThat(tensors.get("shift").shape()).containsExactly(2, 3);
    assertThat(tensors.get("shift").data()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(tensors.get("scale").data()).containsExactly(2, 3, 4);
  }

  @Test
  void aNetworkOnAGpuIsNotCompiledAndTheReasonSaysWhy() {
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = Architecture.ADSH_R50.build(12);
      net.initialize(manager, 32, 68);

      assertThatThrownBy(() -> ServingCompiler.compile(net, Device.gpu(), 32))
          .isInstanceOf(CompileException.class)
          .hasMessageContaining("CPU only");
    }
  }

  @Test
  void theServingProgramKeepsActivationsInOneDnnLayoutWithEveryKernelPrepacked() {
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = Architecture.AGMH.build(12);
      net.initialize(manager, 32, 68);
      BatchNormFolding.fold(net);

      ServingProgram program = ServingProgram.of(net, ServingProgram.Layout.MKLDNN);
      String source = program.source();

      // 53 backbone convolutions + the 6 AGMH descriptor units as one; 16 residual additions
      assertThat(count(source, "torch.mkldnn_convolution(")).isEqualTo(54);
      assertThat(count(source, "torch.mkldnn_reorder_conv2d_weight(")).isEqualTo(54);
      assertThat(count(source, "torch.add_(")).isEqualTo(16);
      assertThat(count(source, "torch.relu_(")).isEqualTo(1 + 16 * 2 + 16 + 1);
      // one conversion in, one out: nothing between the layers leaves oneDNN's layout
      assertThat(count(source, "torch.to_mkldnn(x)")).isEqualTo(1);
      assertThat(count(source, "torch.to_dense(")).isEqualTo(1);
      // kernels + biases of 54 convolutions, and the hash layer (no bias in AGMH)
      assertThat(program.attributes()).hasSize(54 * 2 + 1);
      assertThat(program.attributes().get("w54")).isNull();
      assertThat(program.attributes().get("w53").shape()).containsExactly(6 * 512, 2048, 1, 1);
    }
  }

  private static int count(String text, String needle) {
    return text.split(Pattern.quote(needle), -1).length - 1;
  }
}
