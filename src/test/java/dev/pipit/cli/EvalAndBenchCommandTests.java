package dev.pipit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.cli.bench.RetrievalBench;
import dev.pipit.train.BaselineFixture;
import dev.pipit.train.BaselineRun;
import dev.pipit.train.TrainingListener;
import dev.pipit.train.eval.RetrievalMetrics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pipit eval} on a tiny LSH artifact, and {@code pipit bench-retrieval}'s option parsing.
 */
class EvalAndBenchCommandTests {

  @TempDir Path dir;

  @Test
  void evalWritesTheEvaluationOfAnArtifact() throws Exception {
    BaselineFixture f = BaselineFixture.create(dir);
    Path model = dir.resolve("lsh-8");
    var fitted =
        BaselineRun.run(
            "lsh",
            8,
            BaselineFixture.INPUT,
            3,
            f.plan("lsh-8", model),
            new TrainingListener() {},
            line -> {});
    Path out = dir.resolve("eval");
    int rc =
        new CommandLine(new PipitCommand())
            .execute(
                "eval",
                "--model",
                model.toString(),
                "--dataset",
                "fashion-mnist",
                "--train-per-class",
                "3",
                "--test-per-class",
                "2",
                "--feature-cache",
                f.cache.toString(),
                "--backbone-weights",
                f.backbone.toString(),
                "--out",
                out.toString(),
                "--grid-queries",
                "2");
    assertThat(rc).isZero();
    RetrievalMetrics m = RetrievalMetrics.readJson(out.resolve("evaluation.json"));
    assertThat(m.map()).isEqualTo(fitted.learned().map());
    assertThat(m.queries()).isEqualTo(20);
    assertThat(m.database()).isEqualTo(30);
    assertThat(out.resolve("grid.png")).exists();
  }

  @Test
  void evalFailsCleanlyOnAMissingArtifact() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new PipitCommand());
    cli.setErr(new PrintWriter(err));
    int rc =
        cli.execute(
            "eval",
            "--model",
            dir.resolve("nothing").toString(),
            "--dataset",
            "fashion-mnist",
            "--feature-cache",
            "none");
    assertThat(rc).isNotZero();
  }

  @Test
  void benchDefaultsAreTheFullTableAndOptionsOverrideThem() {
    BenchRetrievalCommand bench = new BenchRetrievalCommand();
    new CommandLine(bench).parseArgs();
    RetrievalBench.Config full = bench.config();
    assertThat(full.methods()).containsExactly("lsh", "itq", "adsh-r50", "fcaenet", "agmh");
    assertThat(full.bits()).containsExactly(12, 24, 32, 48);
    assertThat(full.cases()).isEqualTo(20);
    assertThat(full.dataRoot()).isEqualTo(Path.of("/usr/share/datasets/fashion-mnist"));
    assertThat(full.reduced()).isFalse();

    BenchRetrievalCommand reduced = new BenchRetrievalCommand();
    new CommandLine(reduced)
        .parseArgs(
            "--bits", "12,48", "--methods", "lsh,agmh", "--train-per-class", "100", "--outer", "4");
    RetrievalBench.Config c = reduced.config();
    assertThat(c.bits()).containsExactly(12, 48);
    assertThat(c.methods()).isEqualTo(List.of("lsh", "agmh"));
    assertThat(c.settings("agmh", 12).outerIterations()).isEqualTo(4);
    assertThat(c.settings("agmh", 12).inputSize()).isEqualTo(64);
    assertThat(c.reduced()).isTrue();
    assertThat(c.command())
        .isEqualTo(
            "pipit bench-retrieval --bits 12,48 --methods lsh,agmh --train-per-class 100 --outer"
                + " 4");
  }

  @Test
  void benchLearningRateReachesEveryDeepMethodAndMarksTheRunAsDifferent() {
    BenchRetrievalCommand bench = new BenchRetrievalCommand();
    new CommandLine(bench).parseArgs();
    assertThat(bench.config().settings("adsh-r50", 12).learningRate()).isEqualTo(0.01f);

    BenchRetrievalCommand slower = new BenchRetrievalCommand();
    new CommandLine(slower).parseArgs("--lr", "0.001");
    RetrievalBench.Config c = slower.config();
    for (String method : List.of("adsh-r50", "fcaenet", "agmh")) {
      assertThat(c.settings(method, 48).learningRate()).isEqualTo(0.001f);
      assertThat(c.settings(method, 48).learningRateDrops())
          .isEqualTo(bench.config().settings(method, 48).learningRateDrops());
    }
    assertThat(c.reduced()).isTrue();
  }

  @Test
  void benchThroughTheTopLevelCommandRecordsItsOwnArguments() {
    CommandLine top = new CommandLine(new PipitCommand());
    top.parseArgs("bench-retrieval", "--bits", "12", "--docs", "/tmp/d");
    BenchRetrievalCommand bench = top.getSubcommands().get("bench-retrieval").getCommand();
    assertThat(bench.config().command()).isEqualTo("pipit bench-retrieval --bits 12 --docs /tmp/d");
    assertThat(bench.config().reduced()).isTrue();
  }

  @Test
  void benchRejectsUnknownMethods() {
    BenchRetrievalCommand bench = new BenchRetrievalCommand();
    new CommandLine(bench).parseArgs("--methods", "lsh,sdh");
    Assertions.assertThatThrownBy(bench::config)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sdh");
  }
}
