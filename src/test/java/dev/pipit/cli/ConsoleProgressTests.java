package dev.pipit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConsoleProgressTests {

  @Test
  void rendersBarPercentageAndEta() {
    ConsoleProgress progress = new ConsoleProgress(System.err, false, Duration.ZERO);
    progress.task("iteration 2/10");

    String line = progress.render(25, 100, "loss 0.41", Duration.ofSeconds(30));

    assertThat(line)
        .startsWith("iteration 2/10 [########----------------------]  25% 25/100")
        .contains("elapsed 00:30 eta 01:30")
        .endsWith("loss 0.41");
  }

  @Test
  void outsideATerminalPrintsAtMostOneLinePerIntervalUnlessForced() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleProgress progress =
        new ConsoleProgress(
            new PrintStream(bytes, true, StandardCharsets.UTF_8), false, Duration.ofHours(1));
    for (int i = 1; i <= 50; i++) {
      progress.update(i, 100, "", false);
    }
    progress.update(100, 100, "done", true);

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[1]).contains("100/100").contains("done");
  }

  @Test
  void eachTaskCountsItsElapsedTimeAndEtaFromItsOwnStart() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    long[] now = {0};
    ConsoleProgress progress =
        new ConsoleProgress(
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            false,
            Duration.ZERO,
            () -> now[0]);
    progress.task("iteration 1/2");
    now[0] = Duration.ofSeconds(100).toNanos();
    progress.update(10, 10, "", true);
    progress.task("iteration 2/2");
    now[0] += Duration.ofSeconds(5).toNanos();
    progress.task("iteration 2/2"); // named again with every update: still the same task
    now[0] += Duration.ofSeconds(5).toNanos();
    progress.update(1, 10, "", true);

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines[0]).contains("elapsed 01:40 eta 00:00");
    assertThat(lines[1]).startsWith("iteration 2/2").contains("elapsed 00:10 eta 01:30");
  }

  @Test
  void formatsLongDurationsWithHours() {
    assertThat(ConsoleProgress.format(Duration.ofSeconds(3725))).isEqualTo("1:02:05");
    assertThat(ConsoleProgress.format(Duration.ofSeconds(65))).isEqualTo("01:05");
  }
}
