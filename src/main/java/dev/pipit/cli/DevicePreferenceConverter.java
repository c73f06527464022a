package dev.pipit.cli;

import dev.pipit.model.DevicePreference;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine;

/**
 * {@code auto}, {@code cpu} or {@code cuda}, in any case, with the choices named when it is none of
 * them.
 */
final class DevicePreferenceConverter implements CommandLine.ITypeConverter<DevicePreference> {

  @Override
  public DevicePreference convert(String value) {
    try {
      return DevicePreference.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(
          "'"
              + value
              + "' is not a device; use one of "
              + Arrays.stream(DevicePreference.values())
                  .map(d -> d.name().toLowerCase(Locale.ROOT))
                  .toList());
    }
  }
}
