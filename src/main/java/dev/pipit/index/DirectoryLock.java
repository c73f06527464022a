package dev.pipit.index;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Exclusive use of an index directory through an OS lock on its {@code LOCK} file, held until
 * {@link #close}; it guards against a second index (in this or another process) on the same files.
 */
final class DirectoryLock implements AutoCloseable {

  private final FileChannel channel;

  private DirectoryLock(FileChannel channel) {
    this.channel = channel;
  }

  /**
   * Takes the lock on {@code dir}, which must exist.
   *
   * @throws IllegalStateException if another index holds it
   */
  static DirectoryLock acquire(Path dir) throws IOException {
    FileChannel channel =
        FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this process
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException(dir + " is in use by another index");
    }
    return new DirectoryLock(channel);
  }

  /** Releases the lock (closing the channel releases it). */
  @Override
  public void close() throws IOException {
    channel.close();
  }
}
