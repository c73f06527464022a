package dev.pipit.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The PyTorch {@code state_dict} name of every parameter of a pipit network: an explicit table for
 * exchanging weights with PyTorch (parity tests, TorchScript/state-dict import).
 *
 * <pre>
 *   backbone.conv1.{weight,bias}  backbone.bn1.{weight,bias,running_mean,running_var}
 *   backbone.layer{1..4}.{j}.conv{1,2,3}.*  .bn{1,2,3}.*  .downsample.0.*  .downsample.1.*
 *   agmh:     refine.conv_list.{i}.0.{weight,bias}  refine.conv_list.{i}.1.{BN}
 *             refine.attn_list.{i}.conv1.{weight,bias}  .qry_conv.{t}.weight  .alt_conv.{t}.weight
 *             .linear.weight  .conv2.0.weight  .conv2.1.{BN}              hash_map
 *   fcaenet, adsh-r50:  hash.{weight,bias}
 * </pre>
 *
 * AGMH names follow the official code ({@code Lx-zjwf/AGMH}); the backbone follows torchvision
 * (conv biases exist only in the Keras layout). BatchNorm's {@code num_batches_tracked} has no DJL
 * counterpart.
 */
public final class TorchParameterNames {

  private TorchParameterNames() {}

  /**
   * The table for {@code network}, in a stable order; every parameter of the network appears
   * exactly once.
   */
  public static Map<String, Parameter> of(HashingNetwork network) {
    Map<String, Parameter> names = new LinkedHashMap<>();
    backbone(names, "backbone.", network.backbone());
    if (network instanceof AgmhNetwork agmh) {
      for (int i = 0; i < agmh.descriptors().size(); i++) {
        ConvBn d = agmh.descriptors().get(i);
        String p = "refine.conv_list." + i + ".";
        conv(names, p + "0.", d);
        bn(names, p + "1.", d);
      }
      for (int i = 0; i < agmh.siea().size(); i++) {
        Siea s = agmh.siea().get(i);
        String p = "refine.attn_list." + i + ".";
        names.put(p + "conv1.weight", s.input().getParameters().get("weight"));
        names.put(p + "conv1.bias", s.input().getParameters().get("bias"));
        for (int t = 0; t < s.queries().size(); t++) {
          names.put(
              p + "qry_conv." + t + ".weight", s.queries().get(t).getParameters().get("weight"));
        }
        for (int t = 0; t < s.steps().size(); t++) {
          names.put(
              p + "alt_conv." + t + ".weight", s.steps().get(t).getParameters().get("weight"));
        }
        names.put(p + "linear.weight", s.memoryOut().getParameters().get("weight"));
        conv(names, p + "conv2.0.", s.output());
        bn(names, p + "conv2.1.", s.output());
      }
      names.put("hash_map", agmh.hashLayer().getParameters().get("weight"));
    } else if (network instanceof PooledHashNetwork pooled) {
      names.put("hash.weight", pooled.hashLayer().getParameters().get("weight"));
      names.put("hash.bias", pooled.hashLayer().getParameters().get("bias"));
    }
    checkComplete(network, names);
    return Collections.unmodifiableMap(names);
  }

  /**
   * The backbone's parameters under torchvision's own {@code resnet50().state_dict()} names ({@code
   * conv1.weight}, {@code layer1.0.bn1.running_mean}, …, no prefix), in a stable order.
   */
  public static Map<String, Parameter> ofBackbone(ResNet50 backbone) {
    Map<String, Parameter> names = new LinkedHashMap<>();
    backbone(names, "", backbone);
    checkComplete(backbone, names);
    return Collections.unmodifiableMap(names);
  }

  private static void backbone(Map<String, Parameter> names, String prefix, ResNet50 backbone) {
    conv(names, prefix + "conv1.", backbone.stem());
    bn(names, prefix + "bn1.", backbone.stem());
    List<List<Bottleneck>> stages = backbone.stages();
    for (int s = 0; s < stages.size(); s++) {
      for (int b = 0; b < stages.get(s).size(); b++) {
        Bottleneck block = stages.get(s).get(b);
        String p = prefix + "layer" + (s + 1) + "." + b + ".";
        conv(names, p + "conv1.", block.reduce());
        bn(names, p + "bn1.", block.reduce());
        conv(names, p + "conv2.", block.spatial());
        bn(names, p + "bn2.", block.spatial());
        conv(names, p + "conv3.", block.expand());
        bn(names, p + "bn3.", block.expand());
        block
            .projection()
            .ifPresent(
                u -> {
                  conv(names, p + "downsample.0.", u);
                  bn(names, p + "downsample.1.", u);
                });
      }
    }
  }

  private static void conv(Map<String, Parameter> names, String prefix, ConvBn unit) {
    names.put(prefix + "weight", unit.weight());
    if (unit.hasBias()) {
      names.put(prefix + "bias", unit.convBias());
    }
  }

  private static void bn(Map<String, Parameter> names, String prefix, ConvBn unit) {
    names.put(prefix + "weight", unit.gamma());
    names.put(prefix + "bias", unit.beta());
    names.put(prefix + "running_mean", unit.runningMean());
    names.put(prefix + "running_var", unit.runningVar());
  }

  private static void checkComplete(Block network, Map<String, Parameter> names) {
    Set<Parameter> mapped = Collections.newSetFromMap(new IdentityHashMap<>());
    mapped.addAll(names.values());
    if (mapped.size() != names.size()) {
      throw new IllegalStateException("two names map to one parameter");
    }
    List<String> missing =
        network.getParameters().stream()
            .filter(p -> !mapped.contains(p.getValue()))
            .map(p -> p.getKey())
            .toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException("parameters without a PyTorch name: " + missing);
    }
  }
}
