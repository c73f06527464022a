package dev.pipit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the numbers were measured on: CPU, cores, load, JDK, and this process's memory. */
public final class Machine {

  private Machine() {}

  /** CPU model from {@code /proc/cpuinfo}. */
  static String cpu() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The 1-, 5- and 15-minute load averages. */
  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** One line describing the machine and the JVM. */
  public static String describe() {
    return String.format(
        Locale.ROOT,
        "machine cpu=\"%s\" cores=%d load=%s jdk=%s (%s) os=%s",
        cpu(),
        Runtime.getRuntime().availableProcessors(),
        load().replace(' ', '/'),
        Runtime.version(),
        System.getProperty("java.vm.name"),
        System.getProperty("os.name") + " " + System.getProperty("os.arch"));
  }

  /** A {@code /proc/self/status} field in KiB ({@code VmHWM}: peak RSS, {@code VmRSS}: current). */
  static long statusKib(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return -1;
  }

  /** KiB as MiB, one decimal. */
  static String mib(long kib) {
    return String.format(Locale.ROOT, "%.0f MiB", kib / 1024.0);
  }
}
