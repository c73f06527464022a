package dev.pipit.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingStateTests {

  @TempDir Path dir;

  @Test
  void recordReplacesServingJsonDurablyAndLeavesNoTemporaryFile() throws Exception {
    ServingState state = new ServingState(dir.resolve("data"));
    assertThat(state.recorded()).isEmpty();
    state.record(dir.resolve("models/a"), dir.resolve("data/index/a-1"));
    state.record(dir.resolve("models/b"), dir.resolve("data/index/b-2"));

    assertThat(state.recorded().orElseThrow())
        .isEqualTo(
            new ServingState.Recorded(
                dir.resolve("models/b").toAbsolutePath(),
                dir.resolve("data/index/b-2").toAbsolutePath()));
    try (var files = Files.list(dir.resolve("data"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("serving.json");
    }
  }

  @Test
  void aRecordThatCannotBeWrittenFailsLoudlyAndKeepsTheOldOne() throws Exception {
    ServingState state = new ServingState(dir.resolve("data"));
    state.record(dir.resolve("models/a"), dir.resolve("data/index/a-1"));
    // a directory where the temporary file must go: the write fails before any rename
    Files.createDirectories(dir.resolve("data/serving.json.tmp/x"));

    assertThatThrownBy(() -> state.record(dir.resolve("models/b"), dir.resolve("data/index/b")))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(state.recorded().orElseThrow().model()).isEqualTo(dir.resolve("models/a"));
  }

  @Test
  void aFailedSwitchsIndexIsRemovedButNeverTheRecordedOne() throws Exception {
    ServingState state = new ServingState(dir.resolve("data"));
    Path recorded = Files.createDirectories(dir.resolve("data/index/a-1"));
    Files.write(recorded.resolve("wal-0"), new byte[] {1});
    state.record(dir.resolve("models/a"), recorded);
    Path failed = Files.createDirectories(state.newIndexDir("b"));
    Files.write(failed.resolve("wal-0"), new byte[] {2});

    state.discardFailed(failed);
    state.discardFailed(recorded);

    assertThat(failed).doesNotExist();
    assertThat(recorded.resolve("wal-0")).exists();
  }
}
