package dev.pipit.cli;

import dev.pipit.train.TrainingSettings;
import picocli.CommandLine.Option;

/**
 * The ADSH schedule and seed ({@code pipit train}, {@code bench-retrieval}). Unset options keep the
 * protocol's value ({@code --protocol cpu}: T_out 10, T_in 1, m 1000, seed 68).
 */
final class ScheduleOptions {

  @Option(names = "--outer", description = "outer iterations T_out (default: the protocol's)")
  Integer outer;

  @Option(
      names = "--inner",
      description =
          "epochs over the sampled set per outer iteration T_in (default: the protocol's)")
  Integer inner;

  @Option(names = "--samples", description = "sampled set size m (default: the protocol's)")
  Integer samples;

  @Option(names = "--seed", description = "random seed (default: the protocol's, 68)")
  Long seed;

  /** {@code settings} with the options that were given. */
  TrainingSettings applyTo(TrainingSettings settings) {
    TrainingSettings s =
        settings.withSchedule(
            outer != null ? outer : settings.outerIterations(),
            inner != null ? inner : settings.innerEpochs(),
            samples != null ? samples : settings.samples(),
            settings.batchSize());
    return seed != null ? s.withSeed(seed) : s;
  }
}
