package dev.pipit.index;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The file operations the write-ahead log and snapshots perform, as a seam: production uses {@link
 * FileChannelStorage}; tests install a fault-injecting one per directory ({@link Storage#override})
 * that models what a power loss keeps. Reads go straight to the files (after a simulated power loss
 * the directory holds exactly what survived), so only writes pass here.
 */
interface StorageFiles {

  /** Creates {@code path}, which must not exist, for writing from its start. */
  LogFile create(Path path) throws IOException;

  /** Opens the existing {@code path} for writing (to truncate it). */
  LogFile openExisting(Path path) throws IOException;

  /** Deletes {@code path} if it exists; durable only after {@link #fsyncDirectory}. */
  void delete(Path path) throws IOException;

  /** Renames {@code from} to {@code to} atomically; durable only after {@link #fsyncDirectory}. */
  void atomicMove(Path from, Path to) throws IOException;

  /** Makes the creations, renames and deletions in {@code dir} durable. */
  void fsyncDirectory(Path dir) throws IOException;

  /** A file open for writing: bytes written are durable only once {@link #force} returns. */
  interface LogFile extends Closeable {

    /** Writes every remaining byte of {@code bytes} at the current position. */
    void write(ByteBuffer bytes) throws IOException;

    /** Forces written bytes and the file's size to the device (fdatasync). */
    void force() throws IOException;

    /** Cuts the file to {@code size} bytes; the next write goes there. */
    void truncate(long size) throws IOException;

    /** The file's size in bytes. */
    long size() throws IOException;
  }
}
