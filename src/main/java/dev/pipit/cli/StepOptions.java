package dev.pipit.cli;

import dev.pipit.train.BackboneMode;
import dev.pipit.train.TrainingSettings;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What one training step sees: input size, how much of the backbone trains, batch size ({@code
 * pipit train}, {@code bench-retrieval}, {@code bench-train}). Unset options keep the protocol's
 * value, so each has one default: the protocol's ({@code --protocol cpu}: 64 px, last_stage, 64).
 */
final class StepOptions {

  @Option(
      names = "--input-size",
      description = "network input side in pixels (default: the protocol's; cpu: 64)")
  Integer inputSize;

  @Option(
      names = "--backbone",
      converter = BackboneConverter.class,
      description =
          "frozen (head only, on cached layer-4 maps), last_stage (conv5_x + head, on cached"
              + " layer-3 maps) or full (everything, end to end on augmented images; train only);"
              + " default: the protocol's (cpu: last_stage)")
  BackboneMode backbone;

  @Option(names = "--batch", description = "mini-batch size (default: the protocol's; cpu: 64)")
  Integer batch;

  /** {@code settings} with the options that were given. */
  TrainingSettings applyTo(TrainingSettings settings) {
    TrainingSettings s = settings;
    if (inputSize != null || backbone != null) {
      s =
          s.withInput(
              inputSize != null ? inputSize : s.inputSize(),
              backbone != null ? backbone : s.backbone());
    }
    if (batch != null) {
      s = s.withSchedule(s.outerIterations(), s.innerEpochs(), s.samples(), batch);
    }
    return s;
  }

  /**
   * Refuses {@code --backbone full} where the command works on cached feature maps only.
   *
   * @throws CommandLine.ParameterException naming the option
   */
  void requireCachedBackbone(CommandLine commandLine) {
    if (backbone == BackboneMode.FULL) {
      throw new CommandLine.ParameterException(
          commandLine, "--backbone must be frozen or last_stage here, got full");
    }
  }

  /** {@code frozen}, {@code last_stage} or {@code full}, in any case. */
  static final class BackboneConverter implements CommandLine.ITypeConverter<BackboneMode> {
    @Override
    public BackboneMode convert(String value) {
      try {
        return BackboneMode.valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "--backbone must be frozen, last_stage or full, got " + value);
      }
    }
  }
}
