package dev.pipit.index;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/** File-system helpers for the index directory. */
final class Storage {

  private Storage() {}

  /**
   * Makes a file creation, rename or deletion in {@code dir} durable (Linux: fsync the directory).
   */
  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory for fsync; the rename is still atomic there.
      if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
        throw e;
      }
    }
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
