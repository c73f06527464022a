package dev.pipit.model;

import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.List;

/**
 * Serving-time transformation: folds every BatchNorm into the convolution before it ({@link
 * ConvBn#fold()}), so inference runs one convolution with a bias instead of a convolution plus a BN
 * pass. The parameters themselves are untouched (saving still writes the trained values); {@link
 * #unfold} reverses it.
 */
public final class BatchNormFolding {

  private BatchNormFolding() {}

  /**
   * Folds every {@link ConvBn} in {@code block}'s tree. Call after the parameters are loaded and
   * again whenever they change.
   *
   * @return the number of units folded
   */
  public static int fold(Block block) {
    List<ConvBn> units = units(block);
    units.forEach(ConvBn::fold);
    return units.size();
  }

  /** Reverses {@link #fold} on every unit of {@code block}'s tree; returns the number of units. */
  public static int unfold(Block block) {
    List<ConvBn> units = units(block);
    units.forEach(ConvBn::unfold);
    return units.size();
  }

  /** Every {@link ConvBn} in the tree, depth first. */
  public static List<ConvBn> units(Block block) {
    List<ConvBn> out = new ArrayList<>();
    collect(block, out);
    return out;
  }

  private static void collect(Block block, List<ConvBn> out) {
    if (block instanceof ConvBn unit) {
      out.add(unit);
      return;
    }
    block.getChildren().values().forEach(child -> collect(child, out));
  }
}
