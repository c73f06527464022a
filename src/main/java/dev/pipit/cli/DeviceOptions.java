package dev.pipit.cli;

import dev.pipit.model.DevicePreference;
import picocli.CommandLine.Option;

/** Where the engine computes ({@code pipit train}). */
final class DeviceOptions {

  @Option(
      names = "--device",
      defaultValue = "auto",
      description =
          "auto (the first GPU when one is visible, else the CPU), cpu or cuda; default:"
              + " ${DEFAULT-VALUE}",
      converter = DevicePreferenceConverter.class)
  DevicePreference device;
}
