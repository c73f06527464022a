package dev.pipit.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** {@link StorageFiles} on the real file system, through {@link FileChannel}. */
final class FileChannelStorage implements StorageFiles {

  static final FileChannelStorage INSTANCE = new FileChannelStorage();

  private FileChannelStorage() {}

  @Override
  public LogFile create(Path path) throws IOException {
    return new ChannelFile(
        FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
  }

  @Override
  public LogFile openExisting(Path path) throws IOException {
    return new ChannelFile(FileChannel.open(path, StandardOpenOption.WRITE));
  }

  @Override
  public void delete(Path path) throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public void atomicMove(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory for fsync; the rename is still atomic there.
      if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
        throw e;
      }
    }
  }

  private record ChannelFile(FileChannel channel) implements LogFile {

    @Override
    public void write(ByteBuffer bytes) throws IOException {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    }

    @Override
    public void force() throws IOException {
      channel.force(false); // fdatasync: also flushes a changed file size, which reads need
    }

    @Override
    public void truncate(long size) throws IOException {
      channel.truncate(size);
      channel.position(Math.min(channel.position(), size));
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
