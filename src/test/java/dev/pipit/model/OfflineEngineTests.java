package dev.pipit.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Proves the engine needs no network: a child JVM loads PyTorch and runs a tensor op inside a
 * network namespace with no interfaces but loopback ({@code unshare -n}). Where namespaces are not
 * available the child instead gets proxies that point at a closed port, so any download DJL tried
 * would fail.
 */
class OfflineEngineTests {

  @Test
  void engineLoadsAndComputesWithNoNetwork() throws Exception {
    List<String> command = new ArrayList<>();
    boolean namespaces = unshareWorks();
    if (namespaces) {
      command.addAll(List.of("unshare", "-n", "--"));
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "--enable-native-access=ALL-UNNAMED",
            "-Dhttp.proxyHost=127.0.0.1",
            "-Dhttp.proxyPort=9",
            "-Dhttps.proxyHost=127.0.0.1",
            "-Dhttps.proxyPort=9",
            "-cp",
            System.getProperty("java.class.path"),
            OfflineEngineProbe.class.getName()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean exited = child.waitFor(120, TimeUnit.SECONDS);
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(exited).as("probe finished; output:%n%s", output).isTrue();
    assertThat(child.exitValue()).as("probe exit code; output:%n%s", output).isZero();
    assertThat(output).contains("engine=PyTorch 2.0.1").contains("sum=10.0");
    if (namespaces) {
      assertThat(output).contains("network=loopback-only");
    }
  }

  private static boolean unshareWorks() throws IOException, InterruptedException {
    try {
      Process probe = new ProcessBuilder("unshare", "-n", "true").redirectErrorStream(true).start();
      return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs in the child JVM. */
  public static final class OfflineEngineProbe {
    public static void main(String[] args) throws IOException {
      EngineDefaults.applyOfflineDefaults();
      List<String> interfaces;
      try {
        interfaces = NetworkInterface.networkInterfaces().map(i -> i.getName()).toList();
      } catch (SocketException noneConfigured) {
        interfaces = List.of(); // a fresh namespace has only lo, and it is down
      }
      boolean loopbackOnly = interfaces.stream().allMatch("lo"::equals);
      System.out.println("network=" + (loopbackOnly ? "loopback-only" : interfaces));
      EngineDevice engine = EngineDevice.resolve(DevicePreference.AUTO);
      System.out.println("engine=" + engine.engineName() + " " + engine.engineVersion());
      try (var manager = NDManager.newBaseManager(engine.device())) {
        System.out.println("sum=" + manager.create(new float[] {1, 2, 3, 4}).sum().getFloat());
      }
    }
  }
}
