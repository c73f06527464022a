package dev.pipit.model.compile;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import dev.pipit.model.AgmhNetwork;
import dev.pipit.model.Bottleneck;
import dev.pipit.model.ConvBn;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.PooledHashNetwork;
import dev.pipit.model.ResNet50;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BN-folded pipit network written out as TorchScript: the class source and its tensor attributes.
 *
 * <p>Dimensions: B = batch, K = bits, G·D = all AGMH descriptor channels.
 *
 * <pre>
 *   prepack():  every kernel w_i → oneDNN's blocked layout for its convolution (once, after load)
 *   forward(x (B, 3, H, W)) → u (B, K):
 *     stem conv+ReLU → max-pool 3×3/2 pad 1
 *     per bottleneck: reduce conv+ReLU → spatial conv+ReLU → [projection conv] → expand conv + shortcut + ReLU
 *     AGMH: the G descriptor units as one 1×1 conv (G·D filters) + ReLU → GAP (B, G·D) → linear (no bias) → tanh
 *     FCAENet, ADSH-R50: GAP (B, 2048) → linear → tanh
 * </pre>
 *
 * In the default {@link Layout#MKLDNN} layout the input is converted to a oneDNN tensor once, every
 * convolution ({@code aten::mkldnn_convolution}) reads and writes oneDNN's blocked layout with a
 * kernel reordered once by {@code prepack()} (eager convolutions reorder plain kernels on every
 * call), ReLU and residual additions run in place, and only the pooled features return to a plain
 * tensor. The fused layouts run each convolution with its ReLU, or its residual addition and ReLU,
 * as oneDNN post-ops ({@code mkldnn::_convolution_pointwise}), the residual written into the
 * shortcut in place.
 */
final class ServingProgram {

  static final String CLASS = "PipitServing";
  private static final String SELF = "self: __torch__." + CLASS;
  private static final String NO_SCALARS = "annotate(List[Optional[number]], [])";

  /**
   * How activations and kernels are laid out between oneDNN calls. libtorch 2.0.1 fuses post-ops
   * ({@code mkldnn::_convolution_pointwise}) only on plain tensors, and prepacked kernels only on
   * oneDNN tensors, so no layout has both; {@link #MKLDNN} measured fastest on this machine ({@code
   * LayoutProbe}, docs/benchmarks.md).
   */
  enum Layout {
    /** oneDNN tensors between layers, prepacked kernels; ReLU and residual additions in place. */
    MKLDNN,
    /**
     * Plain NCHW tensors between layers, prepacked kernels, fused post-ops (activations reordered
     * per call).
     */
    DENSE_FUSED,
    /** Channels-last tensors between layers, plain kernels (reordered per call), fused post-ops. */
    CHANNELS_LAST_FUSED
  }

  private final Layout layout;
  private final Map<String, ScriptArchiveWriter.Tensor> attributes = new LinkedHashMap<>();
  private final StringBuilder prepack = new StringBuilder();
  private final StringBuilder forward = new StringBuilder();
  private int convs;
  private int values;

  private ServingProgram(Layout layout) {
    this.layout = layout;
  }

  /** The TorchScript source of {@code code/__torch__.py}. */
  String source() {
    StringBuilder s = new StringBuilder();
    s.append("class ").append(CLASS).append("(Module):\n");
    s.append("  __parameters__ = []\n  __buffers__ = []\n  training : bool\n");
    attributes.keySet().forEach(name -> s.append("  ").append(name).append(" : Tensor\n"));
    s.append("  def prepack(")
        .append(SELF)
        .append(") -> NoneType:\n")
        .append(prepack)
        .append("    return None\n");
    s.append("  def forward(")
        .append(SELF)
        .append(",\n    x: Tensor) -> Tensor:\n")
        .append(forward);
    return s.toString();
  }

  /** The tensor attributes, in declaration order. */
  Map<String, ScriptArchiveWriter.Tensor> attributes() {
    return attributes;
  }

  /**
   * Writes the serving path of {@code network}, whose every {@link ConvBn} must be BN-folded.
   *
   * @throws IllegalArgumentException for a network it does not know
   */
  static ServingProgram of(HashingNetwork network, Layout layout) {
    ServingProgram p = new ServingProgram(layout);
    String f = p.backbone(network.backbone());
    if (network instanceof AgmhNetwork agmh) {
      String d = p.conv(f, concat(agmh.descriptors()), "relu");
      p.head(d, agmh.hashLayer(), false);
    } else if (network instanceof PooledHashNetwork pooled) {
      p.head(f, pooled.hashLayer(), true);
    } else {
      throw new IllegalArgumentException(
          "no serving program for " + network.getClass().getSimpleName());
    }
    return p;
  }

  private String backbone(ResNet50 backbone) {
    String x = "x";
    if (layout == Layout.MKLDNN) {
      x = assign("torch.to_mkldnn(x)");
    } else if (layout == Layout.CHANNELS_LAST_FUSED) {
      x = assign("torch.contiguous(x, memory_format=2)");
    }
    ConvBn stem = backbone.stem();
    x = conv(x, folded(stem), "relu");
    x = assign("torch.max_pool2d(" + x + ", [3, 3], [2, 2], [1, 1], [1, 1], False)");
    for (List<Bottleneck> stage : backbone.stages()) {
      for (Bottleneck block : stage) {
        x = bottleneck(x, block);
      }
    }
    return x;
  }

  private String bottleneck(String x, Bottleneck block) {
    String a = conv(x, block.reduce(), "relu");
    String b = conv(a, block.spatial(), "relu");
    String shortcut = block.projection().map(p -> conv(x, p, "none")).orElse(x);
    ConvBn expand = block.expand();
    String w = weights(folded(expand));
    if (layout == Layout.MKLDNN) {
      String y =
          assign(
              "torch.mkldnn_convolution("
                  + b
                  + ", "
                  + w
                  + args(expand.padding(), expand.stride())
                  + ")");
      return assign("torch.relu_(torch.add_(" + y + ", " + shortcut + "))");
    }
    // relu(conv(b) + shortcut), written into the shortcut: the block input or the projection
    // output, both
    // dead after this block
    return assign(
        "ops.mkldnn._convolution_pointwise_("
            + b
            + ", "
            + shortcut
            + ", "
            + w
            + args(expand.padding(), expand.stride())
            + ", \"add\", None, \"relu\", "
            + NO_SCALARS
            + ", None)");
  }

  private void head(String features, Linear hash, boolean bias) {
    String pooled = assign("torch.adaptive_avg_pool2d(" + features + ", [1, 1])");
    if (layout == Layout.MKLDNN) {
      pooled = assign("torch.to_dense(" + pooled + ")");
    }
    String v = assign("torch.flatten(" + pooled + ", 1)");
    String w = attribute("hash_w", hash.getParameters().get("weight").getArray());
    String b =
        bias ? "self." + attribute("hash_b", hash.getParameters().get("bias").getArray()) : "None";
    String u = assign("torch.tanh(torch.linear(" + v + ", self." + w + ", " + b + "))");
    forward.append("    return ").append(u).append('\n');
  }

  private String conv(String x, ConvBn unit, String post) {
    return conv(x, folded(unit), post);
  }

  private String conv(String x, Kernel kernel, String post) {
    String w = weights(kernel);
    int padding = kernel.padding();
    int stride = kernel.stride();
    if (layout == Layout.MKLDNN) {
      String y = assign("torch.mkldnn_convolution(" + x + ", " + w + args(padding, stride) + ")");
      return post.equals("relu") ? assign("torch.relu_(" + y + ")") : y;
    }
    return assign(
        "ops.mkldnn._convolution_pointwise("
            + x
            + ", "
            + w
            + args(padding, stride)
            + ", \""
            + post
            + "\", "
            + NO_SCALARS
            + ", None)");
  }

  /**
   * Declares kernel i's attributes {@code w<i>, b<i>}, adds its prepacking, returns {@code
   * self.w<i>, self.b<i>}.
   */
  private String weights(Kernel kernel) {
    int i = convs++;
    String w = attribute("w" + i, kernel.weight(), kernel.shape());
    String b = attribute("b" + i, kernel.bias(), new long[] {kernel.bias().length});
    if (layout != Layout.CHANNELS_LAST_FUSED) {
      prepack
          .append("    self.")
          .append(w)
          .append(" = torch.mkldnn_reorder_conv2d_weight(torch.to_mkldnn(self.")
          .append(w)
          .append("), ")
          .append(pair(kernel.padding()))
          .append(", ")
          .append(pair(kernel.stride()))
          .append(", [1, 1], 1)\n");
    }
    return "self." + w + ", self." + b;
  }

  private static Kernel folded(ConvBn unit) {
    NDArray w = unit.foldedWeight();
    return new Kernel(
        w.toFloatArray(),
        w.getShape().getShape(),
        unit.foldedBias().toFloatArray(),
        unit.padding(),
        unit.stride());
  }

  /**
   * Stacks same-shaped 1×1 units along the filters: one convolution computing all their outputs in
   * order.
   */
  private static Kernel concat(List<ConvBn> units) {
    Kernel first = folded(units.get(0));
    int filters = (int) first.shape()[0];
    long[] shape = first.shape().clone();
    shape[0] = (long) filters * units.size();
    float[] weight = new float[first.weight().length * units.size()];
    float[] bias = new float[filters * units.size()];
    for (int i = 0; i < units.size(); i++) {
      Kernel k = i == 0 ? first : folded(units.get(i));
      if (!Arrays.equals(k.shape(), first.shape()) || k.padding() != 0 || k.stride() != 1) {
        throw new IllegalArgumentException("descriptor units differ in shape");
      }
      System.arraycopy(k.weight(), 0, weight, i * k.weight().length, k.weight().length);
      System.arraycopy(k.bias(), 0, bias, i * filters, filters);
    }
    return new Kernel(weight, shape, bias, 0, 1);
  }

  private static String args(int padding, int stride) {
    return ", " + pair(padding) + ", " + pair(stride) + ", [1, 1], 1";
  }

  private static String pair(int v) {
    return "[" + v + ", " + v + "]";
  }

  private String assign(String expression) {
    String name = "x" + values++;
    forward.append("    ").append(name).append(" = ").append(expression).append('\n');
    return name;
  }

  private String attribute(String name, NDArray array) {
    return attribute(name, array.toFloatArray(), array.getShape().getShape());
  }

  private String attribute(String name, float[] values, long[] shape) {
    attributes.put(name, new ScriptArchiveWriter.Tensor(values, shape));
    return name;
  }

  /** A folded convolution: kernel (F, C, k, k), bias (F), padding, stride. */
  private record Kernel(float[] weight, long[] shape, float[] bias, int padding, int stride) {}
}
