package dev.pipit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Block maths on tiny, hand-computable tensors; shapes; what the serving path does not run. */
class NetworkBlocksTests {

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void sieaDoubleNormalisationIsSoftmaxOverPositionsThenDivisionByTheMemorySum() {
    // B = 1, S = 2 memory rows, N = 2 positions. Row 0 logits (0, ln 3) → softmax (1/4, 3/4);
    // row 1 logits (0, 0) → (1/2, 1/2). Column sums: 3/4 and 5/4.
    NDArray z = manager.create(new float[] {0f, (float) Math.log(3), 0f, 0f}, new Shape(1, 2, 2));

    float[] a = Siea.attention(z).toFloatArray();

    assertThat(a[0]).isCloseTo(0.25f / 0.75f, within(1e-6f)); // 1/3
    assertThat(a[1]).isCloseTo(0.75f / 1.25f, within(1e-6f)); // 3/5
    assertThat(a[2]).isCloseTo(0.5f / 0.75f, within(1e-6f)); // 2/3
    assertThat(a[3]).isCloseTo(0.5f / 1.25f, within(1e-6f)); // 2/5
    // Each position's column sums to 1 (up to the 1e-9 guard).
    assertThat(a[0] + a[2]).isCloseTo(1f, within(1e-6f));
    assertThat(a[1] + a[3]).isCloseTo(1f, within(1e-6f));
  }

  @Test
  void attentionDispersionLossMatchesAHandComputation() {
    // B = 1, C = 2, N = 2. Map 1: channel maxima per position (ln 3, 0) → softmax (3/4, 1/4).
    // Map 2: maxima (0, 0) → (1/2, 1/2). Map 3: maxima (0, ln 3) → (1/4, 3/4).
    NDArray m1 = manager.create(new float[] {(float) Math.log(3), -5f, 0f, 0f}, new Shape(1, 2, 2));
    NDArray m2 = manager.create(new float[] {0f, 0f, -1f, -2f}, new Shape(1, 2, 2));
    NDArray m3 = manager.create(new float[] {0f, (float) Math.log(3), -1f, 0f}, new Shape(1, 2, 2));

    // Pairs: (1,2) 3/8 + 1/8 = 1/2; (1,3) 3/16 + 3/16 = 3/8; (2,3) 1/8 + 3/8 = 1/2. Mean over 3
    // pairs, B = 1.
    float loss = AttentionDispersionLoss.compute(new NDList(m1, m2, m3)).getFloat();

    assertThat(loss).isCloseTo((0.5f + 0.375f + 0.5f) / 3f, within(1e-6f));
  }

  @Test
  void attentionDispersionLossAveragesOverTheBatchAndReadsTrainingOutputs() {
    NDArray a =
        manager.create(new float[] {0f, 0f, 0f, 0f}, new Shape(2, 1, 2)); // uniform: (1/2, 1/2)
    NDArray b = manager.create(new float[] {0f, 0f, 0f, 0f}, new Shape(2, 1, 2));
    NDArray u = manager.zeros(new Shape(2, 12));

    float loss =
        new AttentionDispersionLoss().evaluate(new NDList(), new NDList(u, a, b)).getFloat();

    assertThat(loss).isCloseTo(0.5f, within(1e-6f)); // per sample 1/4 + 1/4, averaged over B = 2
  }

  @Test
  void foldingABatchNormGivesTheSameOutputAsConvThenBn() {
    ConvBn unit =
        ConvBn.builder().setKernel(1).setFilters(2).optBias(true).optEpsilon(1e-3f).build();
    unit.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 2, 2));
    unit.weight().getArray().set(new float[] {2f, -1f});
    unit.convBias().getArray().set(new float[] {1f, 0.5f});
    unit.gamma().getArray().set(new float[] {3f, 0.5f});
    unit.beta().getArray().set(new float[] {-1f, 2f});
    unit.runningMean().getArray().set(new float[] {4f, -2f});
    unit.runningVar().getArray().set(new float[] {0.999f, 3.999f}); // σ² + ε = 1 and 4
    NDArray x = manager.create(new float[] {1f, 2f, 3f, 4f}, new Shape(1, 1, 2, 2));
    ParameterStore ps = new ParameterStore(manager, false);

    float[] plain = unit.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
    unit.fold();
    float[] folded = unit.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();

    // channel 0: ReLU(3·(2x + 1 − 4) − 1) = ReLU(6x − 10) → 0, 2, 8, 14
    // channel 1: ReLU(0.25·(−x + 0.5 + 2) + 2) = ReLU(2.625 − 0.25x) → 2.375, 2.125, 1.875, 1.625
    float[] expected = {0f, 2f, 8f, 14f, 2.375f, 2.125f, 1.875f, 1.625f};
    for (int i = 0; i < expected.length; i++) {
      assertThat(plain[i]).isCloseTo(expected[i], within(1e-4f));
      assertThat(folded[i]).isCloseTo(expected[i], within(1e-4f));
    }
    assertThat(unit.isFolded()).isTrue();
    assertThatThrownBy(() -> unit.forward(ps, new NDList(x), true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("unfold");
    unit.unfold();
    assertThat(unit.isFolded()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {12, 24, 32, 48, 64, 128})
  void agmhServesEveryCodeLength(int bits) {
    AgmhNetwork net = (AgmhNetwork) Architecture.AGMH.build(bits);
    net.initialize(manager, 32, 68);
    NDArray u =
        net.serve(
            new ParameterStore(manager, false), manager.randomNormal(new Shape(2, 3, 32, 32)));
    assertThat(u.getShape()).isEqualTo(new Shape(2, bits));
    assertThat(net.hashLayer().getParameters().get("weight").getArray().getShape())
        .isEqualTo(new Shape(bits, 6 * 512));
  }

  @Test
  void everyArchitectureServesBByKAndTrainsWithItsExtras() {
    int bits = 24;
    NDArray x = manager.randomNormal(new Shape(2, 3, 64, 64));
    for (Architecture arch : Architecture.values()) {
      HashingNetwork net = arch.build(bits);
      net.initialize(manager, 64, 68);
      ParameterStore ps = new ParameterStore(manager, false);

      NDList serving = net.forward(ps, new NDList(x), false);
      NDList training = net.forward(ps, new NDList(x), true);

      assertThat(serving).hasSize(1);
      assertThat(serving.singletonOrThrow().getShape()).isEqualTo(new Shape(2, bits));
      assertThat(net.getOutputShapes(new Shape[] {x.getShape()})[0]).isEqualTo(new Shape(2, bits));
      assertThat(training.get(0).getShape()).isEqualTo(new Shape(2, bits));
      float[] u = serving.singletonOrThrow().toFloatArray();
      assertThat(Arrays.stream(box(u)).allMatch(v -> v >= -1f && v <= 1f)).isTrue(); // tanh range
      switch (arch) {
        case AGMH -> {
          assertThat(training).hasSize(7);
          assertThat(training.get(1).getShape()).isEqualTo(new Shape(2, 512, 2, 2));
        }
        case FCAENET -> {
          assertThat(training).hasSize(2);
          assertThat(training.get(1).getShape()).isEqualTo(new Shape(2, 2048, 2, 2));
        }
        case ADSH_R50 -> assertThat(training).hasSize(1);
      }
    }
  }

  @Test
  void sieaIsNotRunOnTheServingPath() {
    AgmhNetwork agmh = AgmhNetwork.builder().setBits(12).build();
    agmh.initialize(manager, 64, 68);
    for (Siea s : agmh.siea()) {
      s.getParameters().forEach(p -> p.getValue().getArray().set(nanLike(p.getValue().getArray())));
    }
    NDArray x = manager.randomNormal(new Shape(2, 3, 64, 64));
    ParameterStore ps = new ParameterStore(manager, false);

    float[] serving = agmh.serve(ps, x).toFloatArray();
    NDList training = agmh.forward(ps, new NDList(x), true);

    assertThat(Arrays.stream(box(serving)).noneMatch(v -> v.isNaN()))
        .as("serving output finite")
        .isTrue();
    assertThat(Arrays.stream(box(training.get(1).toFloatArray())).allMatch(v -> v.isNaN()))
        .as("the poisoned SIEA does run in training")
        .isTrue();
  }

  @Test
  void backboneOutputSizeFollowsTheStrides() {
    assertThat(ResNet50.outSize(224)).isEqualTo(7);
    assertThat(ResNet50.outSize(64)).isEqualTo(2);
    assertThat(ResNet50.outSize(225)).isEqualTo(8);
  }

  @Test
  void torchvisionLayoutMovesTheStrideAndDropsBiases() {
    ResNet50 keras = ResNet50.builder().build();
    ResNet50 torch = ResNet50.builder().optStyle(ResNet50.Style.TORCHVISION_V15).build();
    Bottleneck k = keras.stages().get(1).get(0);
    Bottleneck t = torch.stages().get(1).get(0);

    assertThat(k.reduce().stride()).isEqualTo(2);
    assertThat(k.spatial().stride()).isEqualTo(1);
    assertThat(t.reduce().stride()).isEqualTo(1);
    assertThat(t.spatial().stride()).isEqualTo(2);
    assertThat(k.reduce().hasBias()).isTrue();
    assertThat(t.reduce().hasBias()).isFalse();
    assertThat(keras.units()).hasSize(53);
  }

  @Test
  void architecturesAreFoundByTheirIds() {
    assertThat(Architecture.fromId("agmh")).isEqualTo(Architecture.AGMH);
    assertThat(Architecture.fromId(" ADSH-R50 ")).isEqualTo(Architecture.ADSH_R50);
    assertThatThrownBy(() -> Architecture.fromId("vit")).hasMessageContaining("known: agmh");
    assertThatThrownBy(() -> Architecture.AGMH.build(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Architecture.FCAENET.build(1025))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyParameterHasExactlyOneTorchName() {
    for (Architecture arch : Architecture.values()) {
      HashingNetwork net = arch.build(32);
      net.initialize(manager, 64, 68);
      var names = TorchParameterNames.of(net);
      assertThat(names).hasSize(net.getParameters().size());
    }
  }

  private static float[] nanLike(NDArray a) {
    float[] v = new float[(int) a.size()];
    Arrays.fill(v, Float.NaN);
    return v;
  }

  private static Float[] box(float[] v) {
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
