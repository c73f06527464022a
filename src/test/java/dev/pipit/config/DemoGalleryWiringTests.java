package dev.pipit.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.TestModels;
import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.GalleryCodec;
import dev.pipit.gallery.GalleryPayload;
import dev.pipit.index.Entry;
import dev.pipit.index.HammingIndex;
import dev.pipit.model.Architecture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The demo gallery as {@code make run} starts it, wired from Fashion-MNIST's test split in config:
 * the first images indexed with their class names and sources, the next ones written as query PNGs.
 */
@SpringBootTest
class DemoGalleryWiringTests {

  @TempDir static Path dir;

  @Autowired ActiveModel active;
  @Autowired GalleryCodec codec;

  @BeforeAll
  static void writeModel() throws Exception {
    TestModels.writeRandom(dir.resolve("models"), "demo-16", Architecture.ADSH_R50, 16, 32);
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.serving.model", () -> dir.resolve("models/demo-16").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.engine.device", () -> "cpu");
    registry.add("pipit.jobs.admin-token", () -> "demo-token");
    registry.add("pipit.demo.gallery-size", () -> "3");
    registry.add("pipit.demo.queries", () -> "2");
    registry.add("pipit.demo.queries-dir", () -> dir.resolve("queries").toString());
  }

  @Test
  void theFirstTestImagesAreIndexedWithTheirClassesAndTheNextOnesAreQueries() throws Exception {
    HammingIndex index = active.require().index();
    assertThat(index.size()).isEqualTo(3);
    Entry first = index.get("demo-00000").orElseThrow();
    GalleryPayload payload = codec.read(first.payload());
    // Fashion-MNIST's first test image is an ankle boot (class 9)
    assertThat(payload.label()).isEqualTo("Ankle boot");
    assertThat(payload.metadata()).containsEntry("source", "test/0");
    assertThat(index.get("demo-00002")).isPresent();
    assertThat(index.get("demo-00003")).isEmpty();

    List<String> queries;
    try (Stream<Path> files = Files.list(dir.resolve("queries"))) {
      queries = files.map(f -> f.getFileName().toString()).sorted().toList();
    }
    assertThat(queries).hasSize(2).allMatch(n -> n.matches("[A-Za-z_]+-[34]\\.png"));
  }
}
