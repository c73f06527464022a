package dev.pipit.gallery;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Replaces files so that a crash leaves either the old or the whole new content: write a temporary
 * sibling, force it, rename it over the target atomically, then force the directory so that the
 * rename itself survives a power loss (a rename lives in the directory, not in the file). Also the
 * way a cluster node writes its replica snapshot.
 */
public final class DurableFiles {

  /** Suffix of the temporary sibling; a crash may leave one, which the next start removes. */
  public static final String TMP_SUFFIX = ".tmp";

  /** Writes a file's content to a stream (which it flushes, and need not close). */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private DurableFiles() {}

  /** Writes {@code bytes} to {@code target} durably (creating its directory if needed). */
  public static void replace(Path target, byte[] bytes) throws IOException {
    replace(target, out -> out.write(bytes));
  }

  /**
   * Writes what {@code content} streams to {@code target} durably (creating its directory if
   * needed); on a failure the temporary file is removed and the old content stays.
   */
  public static void replace(Path target, Content content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
    try (FileChannel out =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      OutputStream stream = new KeepOpen(Channels.newOutputStream(out));
      content.writeTo(stream);
      stream.flush();
      out.force(true);
    } catch (IOException | RuntimeException e) {
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
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Deletes {@code root} and everything below it, deepest first; nothing if it is absent. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The channel must outlive a content that closes its stream: it is forced afterwards. */
  private static final class KeepOpen extends FilterOutputStream {

    KeepOpen(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len); // not byte by byte, as FilterOutputStream would
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
