package dev.pipit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.pipit.PythonReference;
import dev.pipit.index.Code;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TorchScript AGMH written by PyTorch (the reference module of parity.py, random weights and BN
 * statistics) is read without the engine, mapped by state-dict name onto pipit's AGMH blocks, and
 * then computes what PyTorch computed: a model from the official code can be fine-tuned by pipit.
 */
class TorchScriptImportTests {

  static final int BITS = 48;
  static final int SIZE = 64;
  static final int BATCH = 2;

  @TempDir static Path dir;

  @BeforeAll
  static void export() throws Exception {
    PythonReference.run("torchscript_agmh.py", dir.toString(), "" + BITS, "" + SIZE, "" + BATCH);
  }

  @Test
  void archiveTensorsIncludeBatchNormStatistics() throws Exception {
    TorchScriptArchive.Contents contents = TorchScriptArchive.read(dir.resolve("agmh.pt"));

    assertThat(contents.tensors())
        .containsKeys(
            "backbone.bn1.running_mean",
            "backbone.layer4.2.bn3.running_var",
            "refine.conv_list.5.1.running_var",
            "refine.attn_list.0.qry_conv.3.weight",
            "hash_map");
    assertThat(contents.tensors().get("hash_map").shape()).containsExactly(BITS, 6 * 512);
    assertThat(contents.skipped()).allMatch(name -> name.endsWith("num_batches_tracked"));
    assertThat(TorchScriptImporter.styleOf(contents)).isEqualTo(ResNet50.Style.KERAS_V1);
  }

  @Test
  void importedAgmhComputesWhatPyTorchComputedAndCanTrain() throws Exception {
    float[] input = PythonReference.readFloats(dir.resolve("input.f32"));
    float[] expected = PythonReference.readFloats(dir.resolve("output.f32"));
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = Architecture.AGMH.build(BITS);
      net.allocate(manager, SIZE);
      TorchScriptImporter.Report report =
          TorchScriptImporter.importInto(dir.resolve("agmh.pt"), net);
      assertThat(report.tensors()).isEqualTo(TorchParameterNames.of(net).size());

      NDArray x = manager.create(input, new Shape(BATCH, 3, SIZE, SIZE));
      float[] u = net.serve(new ParameterStore(manager, false), x).toFloatArray();
      assertThat(u).containsExactly(expected, Offset.offset(1e-4f));
      for (int b = 0; b < BATCH; b++) {
        assertThat(Code.fromSigns(Arrays.copyOfRange(u, b * BITS, (b + 1) * BITS)))
            .isEqualTo(Code.fromSigns(Arrays.copyOfRange(expected, b * BITS, (b + 1) * BITS)));
      }
      NDList training = net.forward(new ParameterStore(manager, false), new NDList(x), true);
      assertThat(training)
          .hasSize(1 + 6); // u and the six SIEA maps for the ADL: ready to fine-tune
    }
  }

  @Test
  void anArchiveOfAnotherNetworkIsRefusedByName() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork fcaenet = Architecture.FCAENET.build(BITS);
      fcaenet.allocate(manager, SIZE);

      assertThatThrownBy(() -> TorchScriptImporter.importInto(dir.resolve("agmh.pt"), fcaenet))
          .isInstanceOf(ModelArtifactException.class)
          .hasMessageContaining("not in the archive, e.g. hash.bias");
    }
    Path notZip = Files.writeString(dir.resolve("bogus.pt"), "not a zip");
    assertThatThrownBy(() -> TorchScriptArchive.read(notZip))
        .isInstanceOf(ModelArtifactException.class);
  }
}
