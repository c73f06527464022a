package dev.pipit.cli;

import dev.pipit.model.Initialization;
import dev.pipit.train.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The hyper-parameters the papers vary in their ablations and schedules ({@code pipit train}, here
 * or in {@code --config}): loss weights, AGMH's head shape, SREM's regions and the learning-rate
 * drops. Unset options keep the protocol's value.
 */
final class AblationOptions {

  @Option(
      names = "--lr-drops",
      description =
          "outer iterations (0-based, comma-separated) from which the learning rate is multiplied"
              + " by --lr-factor once more, like PyTorch's MultiStepLR stepped per outer iteration;"
              + " 'none' for a constant rate")
  String learningRateDrops;

  @Option(names = "--lr-factor", description = "factor of each drop (default 0.1: divide by 10)")
  Float learningRateFactor;

  @Option(names = "--gamma", description = "γ, weight of the quantisation term (default 200)")
  Float gamma;

  @Option(
      names = "--adl-weight",
      description = "AGMH: weight of the attention dispersion loss (default 0.5; 0 turns it off)")
  Float adlWeight;

  @Option(names = "--descriptors", description = "AGMH: attribute descriptors G (default 6)")
  Integer descriptors;

  @Option(names = "--siea-memory", description = "AGMH: SIEA memory size S (default 128)")
  Integer sieaMemory;

  @Option(names = "--siea-steps", description = "AGMH: SIEA interaction steps T (default 4)")
  Integer sieaSteps;

  @Option(
      names = "--esrl-alpha",
      description = "FCAENet: ESRL weight α of the positive pair (default 1; 0 turns it off)")
  Float esrlAlpha;

  @Option(
      names = "--esrl-beta",
      description = "FCAENet: ESRL weight β of the erased copy (default 1; 0 turns it off)")
  Float esrlBeta;

  @Option(
      names = "--srem-regions",
      description = "FCAENet: SREM erased squares N (default 50; 0: no erasing)")
  Integer sremRegions;

  @Option(names = "--srem-size", description = "FCAENet: SREM square side S in pixels (32)")
  Integer sremSize;

  @Option(
      names = "--init",
      description =
          "official (the official code's: fan-out normal convolutions, PyTorch-default uniform"
              + " linear layers; paper protocol) or he_normal (cpu protocol)")
  String initialization;

  /** {@code settings} with the options that were given. */
  TrainingSettings applyTo(TrainingSettings settings) {
    TrainingSettings.Builder b = settings.toBuilder();
    if (learningRateDrops != null) {
      b.learningRateDrops = parseDrops(learningRateDrops);
    }
    if (learningRateFactor != null) {
      b.learningRateFactor = learningRateFactor;
    }
    if (gamma != null) {
      b.gamma = gamma;
    }
    if (adlWeight != null) {
      b.adlWeight = adlWeight;
    }
    if (descriptors != null) {
      b.agmh = b.agmh.withDescriptors(descriptors);
    }
    if (sieaMemory != null || sieaSteps != null) {
      b.agmh =
          b.agmh.withSiea(
              sieaMemory != null ? sieaMemory : b.agmh.memory(),
              sieaSteps != null ? sieaSteps : b.agmh.steps());
    }
    if (esrlAlpha != null) {
      b.esrlAlpha = esrlAlpha;
    }
    if (esrlBeta != null) {
      b.esrlBeta = esrlBeta;
    }
    if (sremRegions != null) {
      b.sremRegions = sremRegions;
    }
    if (sremSize != null) {
      b.sremSize = sremSize;
    }
    if (initialization != null) {
      try {
        b.initialization = Initialization.valueOf(initialization.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--init must be official or he_normal, got '" + initialization + "'");
      }
    }
    return b.build();
  }

  /** {@code "30,45,55"} → [30, 45, 55]; {@code "none"} or blank → []. */
  static List<Integer> parseDrops(String text) {
    String t = text.strip();
    List<Integer> drops = new ArrayList<>();
    if (t.isEmpty() || t.equalsIgnoreCase("none")) {
      return drops;
    }
    for (String part : t.split(",")) {
      try {
        drops.add(Integer.parseInt(part.strip()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--lr-drops must be outer iterations like 30,45,55 or 'none', got '" + text + "'");
      }
    }
    return drops;
  }
}
