package dev.pipit.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernel is chosen at start and reported: without {@code --add-modules jdk.incubator.vector}
 * the index falls back to the scalar kernel and logs the flag that enables SIMD; with it, it uses
 * the Panama one.
 */
class KernelFallbackTests {

  private static List<String> run(String... jvmFlags) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto",
                "-Xmx64m"));
    command.addAll(List.of(jvmFlags));
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), KernelProbe.class.getName()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor()).as(output).isZero();
    return output.lines().toList();
  }

  @Test
  void withoutTheVectorModuleTheScalarKernelRunsAndTheFixIsLogged() throws Exception {
    List<String> output = run();
    assertThat(output).contains("1 scalar");
    assertThat(String.join("\n", output)).contains("--add-modules jdk.incubator.vector");
  }

  @Test
  void withTheVectorModuleThePanamaKernelRuns() throws Exception {
    List<String> output = run("--add-modules", "jdk.incubator.vector");
    assertThat(output).anyMatch(line -> line.startsWith("1 panama-"));
  }
}
