package dev.pipit.gallery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which model serves and which index directory holds its gallery, recorded in {@code
 * <data>/serving.json} when a switch completes, so a restart serves what was switched to rather
 * than the configured default. Index directories live under {@code <data>/index/}.
 */
public final class ServingState {

  /**
   * The recorded choice.
   *
   * @param model the model's artifact directory
   * @param index its gallery index directory
   */
  public record Recorded(Path model, Path index) {}

  private record Stored(String model, String index) {}

  private static final Logger log = LoggerFactory.getLogger(ServingState.class);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

  private final Path dataDir;
  private final JsonMapper json = JsonMapper.builder().build();
  private Path building;

  public ServingState(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** The recorded model and index, if a switch ever completed. */
  public synchronized Optional<Recorded> recorded() {
    Path file = file();
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Stored stored = json.readValue(file.toFile(), Stored.class);
      return Optional.of(new Recorded(Path.of(stored.model()), Path.of(stored.index())));
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The index directory of a model served without a switch (the configured default). */
  public Path defaultIndexDir(String modelName) {
    return dataDir.resolve("index").resolve(modelName);
  }

  /** A fresh, empty index directory for a switch to {@code modelName}. */
  public synchronized Path newIndexDir(String modelName) {
    building =
        dataDir
            .resolve("index")
            .resolve(modelName + "-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)));
    return building;
  }

  /**
   * Records the switch's outcome atomically and durably: temp file, fsync, atomic rename, then an
   * fsync of the data directory so that the rename itself survives a crash.
   */
  public synchronized void record(Path model, Path index) {
    try {
      DurableFiles.replace(
          file(),
          json.writeValueAsBytes(
              new Stored(model.toAbsolutePath().toString(), index.toAbsolutePath().toString())));
      building = null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the served model", e);
    }
  }

  /**
   * Deletes the index directory of a switch that failed, unless it is the recorded one: it holds
   * nothing any model serves.
   */
  public synchronized void discardFailed(Path indexDir) {
    Path abs = indexDir.toAbsolutePath().normalize();
    try {
      Optional<Path> keep = recorded().map(r -> r.index().toAbsolutePath().normalize());
      if (keep.isPresent() && keep.get().equals(abs) || !Files.isDirectory(abs)) {
        return;
      }
      DurableFiles.deleteTree(abs);
      if (building != null && building.toAbsolutePath().normalize().equals(abs)) {
        building = null;
      }
      log.info("Removed the index of a failed model switch: {}", abs);
    } catch (IOException | RuntimeException e) {
      log.warn("Could not remove the index of a failed model switch {}: {}", abs, e.toString());
    }
  }

  /**
   * Deletes index directories neither recorded nor being built (the gallery of a retired model).
   */
  public synchronized void discardUnused() {
    Path indexRoot = dataDir.resolve("index");
    Optional<Path> keep = recorded().map(r -> r.index().toAbsolutePath().normalize());
    if (keep.isEmpty() || !Files.isDirectory(indexRoot)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(indexRoot)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!abs.equals(keep.get())
            && (building == null || !abs.equals(building.toAbsolutePath().normalize()))) {
          DurableFiles.deleteTree(dir);
          log.info("Removed the index of a retired model: {}", dir);
        }
      }
    } catch (IOException e) {
      log.warn("Could not clean up retired indexes: {}", e.toString());
    }
  }

  private Path file() {
    return dataDir.resolve("serving.json");
  }
}
