package dev.pipit.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A fault-injecting {@link StorageFiles} for one directory. Writes go to the real files (so reads
 * see them, as through the page cache), while a model keeps what is durable: per file the bytes as
 * of its last successful {@code force}, per directory the names as of its last {@code
 * fsyncDirectory}. {@link #powerLoss} rewrites the directory to that model: bytes never forced are
 * dropped, a file created, renamed or deleted without a directory fsync since reverts.
 *
 * <p>Faults: the disk can fill after N more bytes ({@code "No space left on device"}), {@code
 * force} can fail once or always (after which the file's unforced bytes are lost for good, as Linux
 * marks failed pages clean), {@code force} can throw any {@link Throwable}, and the power can go
 * off after N more operations (every later one fails).
 */
final class FaultyStorage implements StorageFiles {

  /** One file, independent of its name (renames move it). */
  private static final class Inode {
    byte[] durable;
    Path current; // where its written bytes are now; null once deleted
    boolean poisoned; // a force failed: nothing more of it reaches the disk

    Inode(byte[] durable, Path current) {
      this.durable = durable;
      this.current = current;
    }
  }

  private final Path dir;
  private final Map<String, Inode> live = new HashMap<>();
  private Map<String, Inode> durable = new HashMap<>();
  private int generation; // files opened before a power loss are dead after it
  private long spaceLeft = Long.MAX_VALUE;
  private int forceFailures;
  private Supplier<Throwable> forceFault = () -> new IOException("Input/output error");
  private long operationsLeft = Long.MAX_VALUE;
  private long forces;

  private FaultyStorage(Path dir) throws IOException {
    this.dir = dir;
    adopt();
  }

  /** Routes the index writes in {@code dir} through a new instance (see {@link #uninstall}). */
  static FaultyStorage install(Path dir) throws IOException {
    Files.createDirectories(dir);
    FaultyStorage storage = new FaultyStorage(dir);
    Storage.override(dir, storage);
    return storage;
  }

  void uninstall() {
    Storage.clearOverride(dir);
  }

  /** The disk is full once {@code bytes} more are written. */
  synchronized void fillAfter(long bytes) {
    spaceLeft = bytes;
  }

  /** Space was freed: writes succeed again. */
  synchronized void freeSpace() {
    spaceLeft = Long.MAX_VALUE;
  }

  /** The next {@code times} forces fail with {@code fault} ({@link Integer#MAX_VALUE}: all). */
  synchronized void failForces(int times, Supplier<Throwable> fault) {
    forceFailures = times;
    forceFault = fault;
  }

  /** After {@code operations} more file operations the power is off: every later one fails. */
  synchronized void powerOffAfter(long operations) {
    operationsLeft = operations;
  }

  /** Whether the power is off (every operation fails until {@link #powerLoss}). */
  synchronized boolean poweredOff() {
    return operationsLeft <= 0;
  }

  synchronized long forces() {
    return forces;
  }

  /**
   * The power goes off and comes back: the directory keeps only what was durable, plus, when {@code
   * torn} is given, a random prefix of the bytes appended after the durable ones (pages that
   * happened to reach the disk). Faults are cleared; what is there now counts as durable.
   */
  synchronized void powerLoss(Random torn) throws IOException {
    generation++;
    Map<String, byte[]> survivors = new HashMap<>();
    for (Map.Entry<String, Inode> e : durable.entrySet()) {
      Inode inode = e.getValue();
      byte[] bytes = inode.durable;
      if (torn != null && !inode.poisoned && inode.current != null) {
        byte[] now = Files.exists(inode.current) ? Files.readAllBytes(inode.current) : bytes;
        if (now.length > bytes.length
            && Arrays.equals(now, 0, bytes.length, bytes, 0, bytes.length)) {
          bytes = Arrays.copyOf(now, bytes.length + torn.nextInt(now.length - bytes.length + 1));
        }
      }
      survivors.put(e.getKey(), bytes);
    }
    Set<String> tracked = new HashSet<>(live.keySet());
    tracked.addAll(durable.keySet());
    for (String name : tracked) {
      Files.deleteIfExists(dir.resolve(name));
    }
    for (Map.Entry<String, byte[]> e : survivors.entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
    spaceLeft = Long.MAX_VALUE;
    forceFailures = 0;
    operationsLeft = Long.MAX_VALUE;
    adopt();
  }

  /** Every file in the directory now counts as durable under its name. */
  private void adopt() throws IOException {
    live.clear();
    durable = new HashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Inode inode = new Inode(Files.readAllBytes(file), file);
        live.put(file.getFileName().toString(), inode);
        durable.put(file.getFileName().toString(), inode);
      }
    }
  }

  private void step() throws IOException {
    if (operationsLeft <= 0) {
      throw new IOException("power lost (simulated)");
    }
    if (operationsLeft != Long.MAX_VALUE) {
      operationsLeft--;
    }
  }

  private String name(Path path) {
    if (!path.toAbsolutePath().getParent().equals(dir.toAbsolutePath())) {
      throw new IllegalArgumentException(path + " is outside " + dir);
    }
    return path.getFileName().toString();
  }

  @Override
  public synchronized LogFile create(Path path) throws IOException {
    step();
    FileChannel channel =
        FileChannel.open(
            path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    Inode inode = new Inode(new byte[0], path);
    live.put(name(path), inode);
    return new File(channel, inode, generation);
  }

  @Override
  public synchronized LogFile openExisting(Path path) throws IOException {
    step();
    Inode inode = live.get(name(path));
    if (inode == null) {
      throw new IllegalStateException(path + " is not a file this storage knows");
    }
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return new File(channel, inode, generation);
  }

  @Override
  public synchronized void delete(Path path) throws IOException {
    step();
    Files.deleteIfExists(path);
    Inode inode = live.remove(name(path));
    if (inode != null) {
      inode.current = null;
    }
  }

  @Override
  public synchronized void atomicMove(Path from, Path to) throws IOException {
    step();
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    Inode inode = live.remove(name(from));
    Inode replaced = live.put(name(to), inode);
    if (replaced != null) {
      replaced.current = null;
    }
    inode.current = to;
  }

  @Override
  public synchronized void fsyncDirectory(Path directory) throws IOException {
    step();
    if (!directory.toAbsolutePath().equals(dir.toAbsolutePath())) {
      throw new IllegalArgumentException(directory + " is not " + dir);
    }
    durable = new HashMap<>(live);
  }

  /** Names durable in the directory now (tests). */
  synchronized List<String> durableNames() {
    return durable.keySet().stream().sorted().toList();
  }

  private final class File implements LogFile {
    private final FileChannel channel;
    private final Inode inode;
    private final int born;

    File(FileChannel channel, Inode inode, int born) {
      this.channel = channel;
      this.inode = inode;
      this.born = born;
    }

    private void alive() throws IOException {
      step();
      if (born != generation) {
        throw new IOException("file opened before the power loss");
      }
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
      synchronized (FaultyStorage.this) {
        alive();
        int n = bytes.remaining();
        if (n > spaceLeft) {
          ByteBuffer part = bytes.slice(bytes.position(), (int) spaceLeft);
          while (part.hasRemaining()) {
            channel.write(part);
          }
          spaceLeft = 0;
          throw new IOException("No space left on device");
        }
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        if (spaceLeft != Long.MAX_VALUE) {
          spaceLeft -= n;
        }
      }
    }

    @Override
    public void force() throws IOException {
      synchronized (FaultyStorage.this) {
        alive();
        if (forceFailures > 0) {
          if (forceFailures != Integer.MAX_VALUE) {
            forceFailures--;
          }
          inode.poisoned = true;
          Throwable fault = forceFault.get();
          if (fault instanceof IOException io) {
            throw io;
          }
          if (fault instanceof RuntimeException re) {
            throw re;
          }
          throw (Error) fault;
        }
        forces++;
        if (!inode.poisoned) {
          ByteBuffer all = ByteBuffer.allocate((int) channel.size());
          while (all.hasRemaining() && channel.read(all, all.position()) >= 0) {
            // read the whole file as written so far
          }
          inode.durable = all.array();
        }
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      synchronized (FaultyStorage.this) {
        alive();
        channel.truncate(size);
        channel.position(Math.min(channel.position(), size));
      }
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
