package dev.pipit.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** File-system helpers for the index directory, and the {@link StorageFiles} each one uses. */
final class Storage {

  /**
   * Test hook: directories whose writes go through another {@link StorageFiles} (fault injection).
   * Keyed by directory so that tests running in parallel do not see each other's faults, and so
   * that no constructor between the index and its files needs a parameter for it.
   */
  private static final Map<Path, StorageFiles> OVERRIDES = new ConcurrentHashMap<>();

  private Storage() {}

  /** The file operations for {@code dir}: the real file system unless a test overrode it. */
  static StorageFiles files(Path dir) {
    return OVERRIDES.getOrDefault(key(dir), FileChannelStorage.INSTANCE);
  }

  /** Routes the writes in {@code dir} through {@code files} until {@link #clearOverride}. */
  static void override(Path dir, StorageFiles files) {
    OVERRIDES.put(key(dir), files);
  }

  static void clearOverride(Path dir) {
    OVERRIDES.remove(key(dir));
  }

  private static Path key(Path dir) {
    return dir.toAbsolutePath().normalize();
  }

  /** A short description of a storage failure: the message, else the exception's name. */
  static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }

  /** The sequence numbers in names {@code prefix<digits>suffix} in {@code dir}, ascending. */
  static List<Long> sequences(Path dir, String prefix, String suffix) throws IOException {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(prefix) && n.endsWith(suffix))
          .map(n -> n.substring(prefix.length(), n.length() - suffix.length()))
          .filter(s -> !s.isEmpty() && s.chars().allMatch(Character::isDigit))
          .forEach(s -> found.add(Long.parseLong(s)));
    }
    Collections.sort(found);
    return found;
  }
}
