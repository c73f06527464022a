package dev.pipit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.pipit.PythonReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A torchvision ResNet-50 (v1.5) with random but fixed weights and BN statistics, written by plain
 * PyTorch as a state-dict safetensors file and as a TorchScript export, loads into pipit's
 * torchvision-layout backbone and computes the feature map PyTorch computed; files that are not
 * such a network are refused by name.
 */
class TorchvisionBackboneTests {

  static final int SIZE = 64;
  static final int BATCH = 2;

  @TempDir static Path dir;

  static float[] input;
  static float[] expected;

  @BeforeAll
  static void export() throws Exception {
    PythonReference.run("torchvision_resnet50.py", dir.toString(), "" + SIZE, "" + BATCH);
    input = PythonReference.readFloats(dir.resolve("input.f32"));
    expected = PythonReference.readFloats(dir.resolve("features.f32"));
  }

  @Test
  void safetensorsStateDictComputesPyTorchsFeatures() throws Exception {
    assertFeaturesMatch(dir.resolve("resnet50.safetensors"));
  }

  @Test
  void torchScriptExportComputesPyTorchsFeatures() throws Exception {
    assertFeaturesMatch(dir.resolve("resnet50.pt"));
  }

  private static void assertFeaturesMatch(Path weights) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      ResNet50 backbone = backbone(manager, ResNet50.Style.TORCHVISION_V15);
      TorchvisionResNet50Importer.Report report =
          TorchvisionResNet50Importer.importBackbone(weights, backbone);

      assertThat(report.tensors()).isEqualTo(TorchParameterNames.ofBackbone(backbone).size());
      assertThat(report.ignored())
          .contains("fc.weight", "fc.bias", "layer4.2.bn3.num_batches_tracked")
          .allMatch(n -> n.startsWith("fc.") || n.endsWith("num_batches_tracked"));
      NDArray x = manager.create(input, new Shape(BATCH, 3, SIZE, SIZE));
      NDArray y = backbone.forward(new ParameterStore(manager, false), new NDList(x), false).head();
      assertThat(y.getShape()).isEqualTo(new Shape(BATCH, 2048, 2, 2));
      float scale = 0;
      for (float v : expected) {
        scale = Math.max(scale, Math.abs(v));
      }
      assertThat(scale).as("the reference features are not degenerate").isGreaterThan(1f);
      assertThat(y.toFloatArray()).containsExactly(expected, Offset.offset(scale * 1e-4f));
    }
  }

  @Test
  void theStrideSitsOnTheThreeByThreeAsInTorchvision() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      Bottleneck first = backbone(manager, ResNet50.Style.TORCHVISION_V15).stages().get(1).get(0);
      // A 1×1 with stride 2 would see a quarter of the positions; the 3×3 with stride 2 sees all.
      assertThat(first.reduce().getOutputShapes(new Shape[] {new Shape(1, 256, 16, 16)})[0])
          .isEqualTo(new Shape(1, 128, 16, 16));
      assertThat(first.spatial().getOutputShapes(new Shape[] {new Shape(1, 128, 16, 16)})[0])
          .isEqualTo(new Shape(1, 128, 8, 8));
    }
  }

  @Test
  void aMissingTensorIsNamed() throws Exception {
    Map<String, Safetensors.Tensor> tensors = stateDict();
    tensors.remove("layer3.4.bn2.running_var");
    Path file = dir.resolve("missing.safetensors");
    Safetensors.write(file, tensors);

    assertRefused(
        file, "1 tensors of a torchvision ResNet-50 are missing", "layer3.4.bn2.running_var");
  }

  @Test
  void anUnknownTensorIsNamed() throws Exception {
    Map<String, Safetensors.Tensor> tensors = stateDict();
    tensors.put("layer5.0.conv1.weight", new Safetensors.Tensor(new long[] {1}, new float[1]));
    Path file = dir.resolve("unknown.safetensors");
    Safetensors.write(file, tensors);

    assertRefused(file, "not part of a torchvision ResNet-50 backbone", "layer5.0.conv1.weight");
  }

  @Test
  void prefixedNamesAreExplained() throws Exception {
    Map<String, Safetensors.Tensor> prefixed = new LinkedHashMap<>();
    stateDict().forEach((name, t) -> prefixed.put("module." + name, t));
    Path file = dir.resolve("prefixed.safetensors");
    Safetensors.write(file, prefixed);

    assertRefused(file, "missing", "carry a prefix");
  }

  @Test
  void aMisShapedTensorIsNamed() throws Exception {
    Map<String, Safetensors.Tensor> tensors = stateDict();
    tensors.put("conv1.weight", new Safetensors.Tensor(new long[] {64, 3, 3, 3}, new float[1728]));
    Path file = dir.resolve("shape.safetensors");
    Safetensors.write(file, tensors);

    assertRefused(file, "conv1.weight has shape [64, 3, 3, 3]", "[64, 3, 7, 7]");
  }

  @Test
  void otherFilesAndLayoutsAreRefused() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.txt"), "not weights");
    assertRefused(text, "neither a TorchScript archive nor a safetensors file");
    assertRefused(dir.resolve("absent.safetensors"), "do not exist");
    try (NDManager manager = NDManager.newBaseManager()) {
      ResNet50 keras = backbone(manager, ResNet50.Style.KERAS_V1);
      assertThatThrownBy(
              () ->
                  TorchvisionResNet50Importer.importBackbone(
                      dir.resolve("resnet50.safetensors"), keras))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("torchvision-layout backbone");
    }
  }

  @Test
  void layoutsAreNamedAsManifestsRecordThem() {
    assertThat(ResNet50.Style.ofId("torchvision")).isEqualTo(ResNet50.Style.TORCHVISION_V15);
    assertThat(ResNet50.Style.ofId("keras")).isEqualTo(ResNet50.Style.KERAS_V1);
    assertThatThrownBy(() -> ResNet50.Style.ofId("caffe"))
        .hasMessageContaining("known: keras, torchvision");
  }

  private static void assertRefused(Path file, String... fragments) {
    try (NDManager manager = NDManager.newBaseManager()) {
      ResNet50 backbone = backbone(manager, ResNet50.Style.TORCHVISION_V15);
      float before = backbone.stem().weight().getArray().getFloat(0, 0, 0, 0);
      var refusal =
          assertThatThrownBy(() -> TorchvisionResNet50Importer.importBackbone(file, backbone))
              .isInstanceOf(ModelArtifactException.class);
      for (String fragment : fragments) {
        refusal.hasMessageContaining(fragment);
      }
      assertThat(backbone.stem().weight().getArray().getFloat(0, 0, 0, 0))
          .as("nothing copied")
          .isEqualTo(before);
    }
  }

  private static Map<String, Safetensors.Tensor> stateDict() throws Exception {
    List<String> skipped = new ArrayList<>();
    return new LinkedHashMap<>(Safetensors.read(dir.resolve("resnet50.safetensors"), skipped));
  }

  private static ResNet50 backbone(NDManager manager, ResNet50.Style style) {
    ResNet50 backbone = ResNet50.builder().optStyle(style).build();
    backbone.initialize(manager, DataType.FLOAT32, new Shape(BATCH, 3, SIZE, SIZE));
    return backbone;
  }
}
