package dev.pipit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.train.BackboneMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * An option that several subcommands accept is one option: the same type, default and description
 * everywhere (the shared ones come from the mixins).
 */
class SharedOptionsTests {

  /** Options that are deliberately different per command: a single code length vs a list. */
  private static final List<String> PER_COMMAND = List.of("--bits", "--methods", "--out");

  @Test
  void everyOptionSharedBySubcommandsHasOneTypeAndOneDefault() {
    CommandLine top = new CommandLine(new PipitCommand());
    Map<String, OptionSpec> seen = new HashMap<>();
    Map<String, String> seenIn = new HashMap<>();
    int shared = 0;
    for (var sub : top.getSubcommands().entrySet()) {
      for (OptionSpec option : sub.getValue().getCommandSpec().options()) {
        String name = option.longestName();
        if (option.usageHelp() || option.versionHelp() || PER_COMMAND.contains(name)) {
          continue;
        }
        OptionSpec first = seen.putIfAbsent(name, option);
        if (first == null) {
          seenIn.put(name, sub.getKey());
          continue;
        }
        shared++;
        String where = name + " in " + seenIn.get(name) + " and " + sub.getKey();
        assertThat(option.type()).as(where).isEqualTo(first.type());
        assertThat(Objects.toString(option.defaultValue()))
            .as(where)
            .isEqualTo(Objects.toString(first.defaultValue()));
        assertThat(option.description()).as(where).isEqualTo(first.description());
      }
    }
    // --dataset, --data-root, the per-class sizes, the step and schedule options, the backbone
    // files
    assertThat(shared).isGreaterThanOrEqualTo(14);
  }

  @Test
  void benchTrainKeepsTheCpuProtocolsStepUnlessTold() {
    BenchTrainCommand bench = new BenchTrainCommand();
    new CommandLine(bench).parseArgs("--backbone", "FROZEN", "--batch", "16");
    assertThat(bench.step.backbone).isEqualTo(BackboneMode.FROZEN);
    assertThat(bench.step.batch).isEqualTo(16);
    assertThat(bench.step.inputSize).isNull(); // the protocol's 64
  }

  @Test
  void theBenchesRefuseTheEndToEndBackboneTheyCannotRun() {
    CommandLine top = new CommandLine(new PipitCommand());
    top.parseArgs("bench-retrieval", "--backbone", "full");
    BenchRetrievalCommand bench = top.getSubcommands().get("bench-retrieval").getCommand();
    assertThatThrownBy(bench::config)
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--backbone must be frozen or last_stage here");
    assertThatThrownBy(() -> new CommandLine(new TrainCommand()).parseArgs("--backbone", "half"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--backbone must be frozen, last_stage or full, got half");
  }
}
