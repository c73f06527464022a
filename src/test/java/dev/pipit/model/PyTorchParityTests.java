package dev.pipit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.pipit.TestModels;
import dev.pipit.encode.ImageDecoder;
import dev.pipit.encode.ImagePreprocessor;
import dev.pipit.encode.Preprocessing;
import dev.pipit.model.compile.CompiledNetwork;
import dev.pipit.model.compile.ServingCompiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pipit's Java networks against PyTorch reference modules written independently from METHOD.md
 * ({@code src/test/python/parity.py}, run with Debian's python3-torch): same weights (the real
 * ImageNet backbone, seeded random heads with non-trivial BN statistics), same input (two real
 * photos through the product preprocessing), outputs equal to 1e-4 and identical sign codes.
 */
class PyTorchParityTests {

  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final Path SCRIPT = Path.of("src/test/python/parity.py");
  static final float TOLERANCE = 1e-4f;

  @TempDir static Path work;

  private static NDManager manager;
  private static final Map<String, HashingNetwork> networks = new LinkedHashMap<>();
  private static final Map<String, NDList> javaEval = new LinkedHashMap<>();
  private static final Map<String, NDArray> javaCompiled = new LinkedHashMap<>();
  private static final Map<String, NDList> javaTrain = new LinkedHashMap<>();
  private static final Map<String, Map<String, Safetensors.Tensor>> torch = new LinkedHashMap<>();
  private static NDArray agmhFolded;
  private static int foldedUnits;

  @BeforeAll
  static void runBothSides() throws Exception {
    assumeTrue(Files.exists(ResNet50EagleTests.MODEL), "assets missing: run bin/fetch-assets");
    assumeTrue(torchAvailable(), "/usr/bin/python3 cannot import torch: run bin/fetch-assets");
    manager = NDManager.newBaseManager();
    TfjsLayersModel imagenet = TfjsLayersModel.read(ResNet50EagleTests.MODEL);
    networks.put("agmh48", Architecture.AGMH.build(48));
    networks.put("fcaenet64", Architecture.FCAENET.build(64));
    networks.put("adsh32", Architecture.ADSH_R50.build(32));

    ImagePreprocessor pre = new ImagePreprocessor(Preprocessing.kerasResNet50());
    List<float[]> photos = new ArrayList<>();
    for (String name : List.of("eagle.jpg", "dog.jpg")) {
      byte[] bytes = Files.readAllBytes(ResNet50EagleTests.EAGLE.resolveSibling(name));
      photos.add(pre.apply(ImageDecoder.withDefaults().decode(bytes).image()));
    }
    NDArray images = pre.stack(photos, manager);
    Safetensors.write(work.resolve("input.safetensors"), Map.of("images", tensor(images)));

    StringBuilder job = new StringBuilder("{\"input\": \"input.safetensors\", \"networks\": [");
    Random random = new Random(68);
    for (Map.Entry<String, HashingNetwork> e : networks.entrySet()) {
      HashingNetwork net = e.getValue();
      net.allocate(manager, 224);
      KerasResNet50Importer.importInto(imagenet, net.backbone(), null, null);
      Map<String, Parameter> names = TorchParameterNames.of(net);
      TestModels.randomiseHead(names, random);
      // The backbone (identical in all three) is written once; each network's file holds its head.
      Map<String, Safetensors.Tensor> backbone = new LinkedHashMap<>();
      Map<String, Safetensors.Tensor> head = new LinkedHashMap<>();
      names.forEach(
          (name, p) ->
              (name.startsWith("backbone.") ? backbone : head).put(name, tensor(p.getArray())));
      if (!Files.exists(work.resolve("backbone.safetensors"))) {
        Safetensors.write(work.resolve("backbone.safetensors"), backbone);
      }
      Safetensors.write(work.resolve(e.getKey() + ".safetensors"), head);
      boolean train = net.architecture() != Architecture.ADSH_R50;
      job.append(job.charAt(job.length() - 1) == '[' ? "" : ", ")
          .append(
              String.format(
                  "{\"name\": \"%s\", \"arch\": \"%s\", \"bits\": %d, \"weights\":"
                      + " [\"backbone.safetensors\", \"%s.safetensors\"], \"train\": %s}",
                  e.getKey(), net.architecture().id(), net.bits(), e.getKey(), train));
      // Java side, serving first (training mode updates BN running statistics afterwards).
      javaEval.put(
          e.getKey(), net.forward(new ParameterStore(manager, false), new NDList(images), false));
      try (CompiledNetwork compiled = ServingCompiler.compile(net, Device.cpu(), 224)) {
        javaCompiled.put(
            e.getKey(),
            compiled
                .block()
                .forward(new ParameterStore(manager, false), new NDList(images), false)
                .singletonOrThrow());
      }
      BatchNormFolding.unfold(net);
      if (net.architecture() == Architecture.AGMH) {
        foldedUnits = BatchNormFolding.fold(net);
        agmhFolded = net.serve(new ParameterStore(manager, false), images);
        BatchNormFolding.unfold(net);
      }
      if (train) {
        javaTrain.put(
            e.getKey(), net.forward(new ParameterStore(manager, false), new NDList(images), true));
      }
    }
    job.append("]}");
    Files.writeString(work.resolve("job.json"), job);

    Process python =
        new ProcessBuilder(PYTHON.toString(), SCRIPT.toAbsolutePath().toString(), work.toString())
            .redirectErrorStream(true)
            .start();
    boolean done = python.waitFor(240, TimeUnit.SECONDS);
    String log = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(done).as("python finished:%n%s", log).isTrue();
    assertThat(python.exitValue()).as("python exit code:%n%s", log).isZero();
    for (String name : networks.keySet()) {
      torch.put(name, Safetensors.read(work.resolve(name + ".out.safetensors")));
    }
  }

  @AfterAll
  static void close() {
    if (manager != null) {
      manager.close();
    }
  }

  @Test
  void agmhServingOutputsAndCodesMatch() {
    assertServingParity("agmh48");
  }

  @Test
  void fcaenetServingOutputsAndCodesMatch() {
    assertServingParity("fcaenet64");
  }

  @Test
  void adshR50ServingOutputsAndCodesMatch() {
    assertServingParity("adsh32");
  }

  @Test
  void agmhCompiledServingOutputsAndCodesMatch() {
    assertCompiledParity("agmh48");
  }

  @Test
  void fcaenetCompiledServingOutputsAndCodesMatch() {
    assertCompiledParity("fcaenet64");
  }

  @Test
  void adshR50CompiledServingOutputsAndCodesMatch() {
    assertCompiledParity("adsh32");
  }

  @Test
  void agmhTrainingOutputsSieaAndAdlMatch() {
    NDList java = javaTrain.get("agmh48");
    Map<String, Safetensors.Tensor> ref = torch.get("agmh48");
    assertClose("agmh48 u_train", java.get(0), ref.get("u_train"), TOLERANCE);
    assertThat(java.size()).isEqualTo(7);
    for (int i = 0; i < 6; i++) {
      assertClose("agmh48 siea." + i, java.get(1 + i), ref.get("siea." + i), TOLERANCE);
    }
    float adl = AttentionDispersionLoss.compute(java.subNDList(1)).getFloat();
    assertThat(adl).isCloseTo(ref.get("adl").data()[0], Assertions.within(TOLERANCE));
    System.out.printf("parity agmh48 ADL java=%.6f torch=%.6f%n", adl, ref.get("adl").data()[0]);
  }

  @Test
  void fcaenetTrainingOutputsAndFeatureMapMatch() {
    NDList java = javaTrain.get("fcaenet64");
    Map<String, Safetensors.Tensor> ref = torch.get("fcaenet64");
    assertClose("fcaenet64 u_train", java.get(0), ref.get("u_train"), TOLERANCE);
    assertClose("fcaenet64 features", java.get(1), ref.get("features"), TOLERANCE);
  }

  @Test
  void foldedServingPathMatchesTheUnfoldedOne() {
    float[] folded = agmhFolded.toFloatArray();
    float[] unfolded = javaEval.get("agmh48").singletonOrThrow().toFloatArray();
    assertThat(foldedUnits)
        .as("BN units: backbone 53, descriptors 6, SIEA 6")
        .isEqualTo(53 + 6 + 6);
    float diff = maxAbsDiff(folded, unfolded);
    System.out.printf("parity agmh48 folded vs unfolded max|diff|=%.3g%n", diff);
    assertThat(diff).isLessThan(TOLERANCE);
    assertThat(signs(folded)).isEqualTo(signs(unfolded));
    assertClose("agmh48 folded vs torch", agmhFolded, torch.get("agmh48").get("u_eval"), TOLERANCE);
  }

  /** The serving compiler's TorchScript/oneDNN module against the PyTorch reference. */
  private static void assertCompiledParity(String name) {
    NDArray compiled = javaCompiled.get(name);
    Safetensors.Tensor ref = torch.get(name).get("u_eval");
    assertClose(name + " compiled u_eval", compiled, ref, TOLERANCE);
    assertThat(signs(compiled.toFloatArray())).as("sign codes").isEqualTo(signs(ref.data()));
  }

  private static void assertServingParity(String name) {
    NDArray java = javaEval.get(name).singletonOrThrow();
    Safetensors.Tensor ref = torch.get(name).get("u_eval");
    assertClose(name + " u_eval", java, ref, TOLERANCE);
    float[] u = java.toFloatArray();
    assertThat(signs(u)).as("sign codes").isEqualTo(signs(ref.data()));
    // The comparison means something only if the outputs are not saturated.
    long inside = 0;
    for (float v : u) {
      inside += Math.abs(v) < 0.99f ? 1 : 0;
    }
    assertThat(inside).as("unsaturated outputs").isGreaterThan(u.length / 2);
  }

  private static void assertClose(
      String what, NDArray java, Safetensors.Tensor ref, float tolerance) {
    assertThat(java.getShape().getShape()).as(what + " shape").isEqualTo(ref.shape());
    float diff = maxAbsDiff(java.toFloatArray(), ref.data());
    System.out.printf("parity %s max|diff|=%.3g%n", what, diff);
    assertThat(diff).as(what + " max |java − torch|").isLessThanOrEqualTo(tolerance);
  }

  static float maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  static boolean[] signs(float[] u) {
    boolean[] s = new boolean[u.length];
    for (int i = 0; i < u.length; i++) {
      s[i] = u[i] >= 0f;
    }
    return s;
  }

  private static Safetensors.Tensor tensor(NDArray a) {
    return new Safetensors.Tensor(a.getShape().getShape(), a.toFloatArray());
  }

  private static boolean torchAvailable() {
    try {
      Process p =
          new ProcessBuilder(PYTHON.toString(), "-c", "import torch")
              .redirectErrorStream(true)
              .start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
