package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.index.Code;
import dev.pipit.model.LinearHasher;
import dev.pipit.model.ModelArtifact;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LSH and ITQ as model artifacts: the artifact verifies, its hasher reads back, and {@code pipit
 * eval}'s codes are exactly the direct {@link LinearHasher} codes of the pooled features.
 */
class BaselineArtifactTests {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"lsh", "itq"})
  void artifactRoundTripsAndEvaluationReproducesItsCodes(String method) throws Exception {
    BaselineFixture f = BaselineFixture.create(dir);
    Path out = dir.resolve(method + "-8");
    TrainingRun.Result fitted =
        BaselineRun.run(
            method,
            8,
            BaselineFixture.INPUT,
            5,
            f.plan(method + "-8", out),
            new TrainingListener() {},
            line -> {});

    ModelArtifact artifact = ModelArtifact.open(out);
    assertThat(artifact.manifest().architecture()).isEqualTo(method);
    assertThat(artifact.manifest().bits()).isEqualTo(8);
    assertThat(artifact.manifest().weights()).isEqualTo(BaselineRun.HASHER_FILE);
    assertThat(artifact.manifest().provenance().settings())
        .containsEntry(BaselineRun.BACKBONE_SHA256, FeatureCache.backboneId(f.backbone));
    LinearHasher hasher;
    try (InputStream in = Files.newInputStream(artifact.weightsFile())) {
      hasher = LinearHasher.read(in);
    }

    ArtifactEvaluation.Outcome eval =
        ArtifactEvaluation.run(
            new ArtifactEvaluation.Request(
                out,
                "fashion-mnist",
                BaselineFixture.FASHION,
                BaselineFixture.TRAIN_PER_CLASS,
                BaselineFixture.TEST_PER_CLASS,
                f.backbone,
                f.cache,
                dir.resolve("eval"),
                2,
                3),
            new TrainingListener() {},
            line -> {});
    for (int i = 0; i < f.database.length; i++) {
      assertThat(eval.database().get(i)).isEqualTo(Code.fromSigns(hasher.project(f.database[i])));
    }
    for (int i = 0; i < f.queries.length; i++) {
      assertThat(eval.queries().get(i)).isEqualTo(Code.fromSigns(hasher.project(f.queries[i])));
    }
    assertThat(eval.metrics().map()).isEqualTo(fitted.learned().map());
    assertThat(eval.metrics().map())
        .isGreaterThan(0.3); // class-separated features: far above chance (~0.1)
    assertThat(dir.resolve("eval"))
        .isDirectoryContaining("glob:**/evaluation.json")
        .isDirectoryContaining("glob:**/report.md")
        .isDirectoryContaining("glob:**/pr.png")
        .isDirectoryContaining("glob:**/grid.png");
  }

  @Test
  void evaluationRefusesABaselineWithAnotherBackbone() throws Exception {
    BaselineFixture f = BaselineFixture.create(dir);
    Path out = dir.resolve("lsh-8");
    BaselineRun.run(
        "lsh",
        8,
        BaselineFixture.INPUT,
        5,
        f.plan("lsh-8", out),
        new TrainingListener() {},
        line -> {});
    Path other = Files.createDirectories(dir.resolve("other")).resolve("model.json");
    Files.writeString(other, "{\"another\": true}");
    assertThatThrownBy(
            () ->
                ArtifactEvaluation.run(
                    new ArtifactEvaluation.Request(
                        out,
                        "fashion-mnist",
                        BaselineFixture.FASHION,
                        BaselineFixture.TRAIN_PER_CLASS,
                        BaselineFixture.TEST_PER_CLASS,
                        other,
                        f.cache,
                        dir.resolve("e"),
                        0,
                        3),
                    new TrainingListener() {},
                    line -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was fitted on backbone");
  }

  @Test
  void sameSeedGivesTheSameHasher() throws Exception {
    BaselineFixture f = BaselineFixture.create(dir);
    BaselineRun.run(
        "itq",
        8,
        BaselineFixture.INPUT,
        5,
        f.plan("a", dir.resolve("a")),
        new TrainingListener() {},
        line -> {});
    BaselineRun.run(
        "itq",
        8,
        BaselineFixture.INPUT,
        5,
        f.plan("b", dir.resolve("b")),
        new TrainingListener() {},
        line -> {});
    assertThat(Files.readAllBytes(dir.resolve("a").resolve(BaselineRun.HASHER_FILE)))
        .isEqualTo(Files.readAllBytes(dir.resolve("b").resolve(BaselineRun.HASHER_FILE)));
  }
}
