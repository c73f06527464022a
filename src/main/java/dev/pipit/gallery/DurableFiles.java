package dev.pipit.gallery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces files so that a crash leaves either the old or the whole new content: write a temporary
 * sibling, force it, rename it over the target atomically, then force the directory so that the
 * rename itself survives a power loss (a rename lives in the directory, not in the file).
 */
final class DurableFiles {

  /** Suffix of the temporary sibling; a crash may leave one, which the next start removes. */
  static final String TMP_SUFFIX = ".tmp";

  private DurableFiles() {}

  /** Writes {@code bytes} to {@code target} durably (creating its directory if needed). */
  static void replace(Path target, byte[] bytes) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
    try (FileChannel out =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      out.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(dir);
  }

  /**
   * Forces a directory's entries (renames, creations, deletions) to disk. Linux allows opening a
   * directory for reading and fsyncing it; that is what makes a rename durable.
   */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
