package dev.pipit.gallery;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * A cluster node's local copies of kept originals (with their thumbnails, in its {@link
 * ImageStore}) as a cache of {@link SharedOriginals} bounded in bytes: the least recently used
 * original goes first once the bound (or the store's own cap) is reached. PostgreSQL keeps every
 * original; a copy evicted here is fetched again on its next request. Originals written through
 * this node enter the cache too, so the whole local store stays under the bound; at start the
 * copies a previous run left are adopted, oldest first.
 *
 * <p>Bytes are read under the cache's lock, so an eviction never deletes a file being served.
 */
public final class OriginalsCache {

  /**
   * @param hits requests answered from the local copy
   * @param misses requests that went to the shared store
   * @param evictions copies deleted to stay under the bound
   * @param bytes bytes of the local copies (originals and thumbnails)
   * @param maxBytes the bound
   * @param originals local copies
   */
  public record Stats(
      long hits, long misses, long evictions, long bytes, long maxBytes, int originals) {}

  private final ImageStore store;
  private final SharedOriginals shared;
  private final long maxBytes;
  // sha-256 -> bytes on disk; access order: the eldest is the least recently used
  private final LinkedHashMap<String, Long> copies = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private long hits;
  private long misses;
  private long evictions;

  private OriginalsCache(ImageStore store, SharedOriginals shared, long maxBytes) {
    this.store = store;
    this.shared = shared;
    this.maxBytes = maxBytes;
  }

  /**
   * A cache over {@code store} (whose every original it then owns) holding at most {@code maxBytes}
   * of copies; what a previous run left in the store is adopted, and evicted if over the bound.
   */
  public static OriginalsCache open(ImageStore store, SharedOriginals shared, long maxBytes)
      throws IOException {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("the originals cache bound must be >= 0");
    }
    OriginalsCache cache = new OriginalsCache(store, shared, maxBytes);
    synchronized (cache) {
      for (String sha : store.onDisk()) {
        cache.adopt(sha);
      }
      cache.evictOverBound();
    }
    return cache;
  }

  /** The original's bytes: the local copy, else the shared store's (then copied here). */
  public Optional<byte[]> original(String sha256) {
    Optional<byte[]> local = local(sha256, store::original);
    if (local.isPresent()) {
      return local;
    }
    Optional<byte[]> fetched = shared.get(sha256);
    fetched.ifPresent(this::admit);
    return fetched;
  }

  /**
   * The original's thumbnail (JPEG): the local copy, else made from the shared store's original
   * (then copied here); empty when the original is not kept anywhere or does not decode.
   */
  public Optional<byte[]> thumbnail(String sha256) {
    Optional<byte[]> local = local(sha256, store::thumbnail);
    if (local.isPresent()) {
      return local;
    }
    return shared.get(sha256).flatMap(this::admit);
  }

  /**
   * Keeps an original this node writes (its image decoded already), making room by evicting.
   *
   * @return its sha-256, empty when it cannot be kept (larger than the store's cap)
   */
  public Optional<String> keep(byte[] original, BufferedImage image) {
    String sha = ImageStore.sha256(original);
    synchronized (this) {
      if (copies.get(sha) != null) { // get: a use, in access order
        return Optional.of(sha);
      }
      Optional<String> kept = keepMakingRoom(original, image);
      kept.ifPresent(this::add);
      evictOverBound();
      return kept;
    }
  }

  public synchronized Stats stats() {
    return new Stats(hits, misses, evictions, bytes, maxBytes, copies.size());
  }

  private synchronized Optional<byte[]> local(String sha256, Function<String, Optional<Path>> at) {
    if (!ImageStore.isName(sha256)) {
      return Optional.empty();
    }
    Optional<Path> file = at.apply(sha256);
    if (file.isPresent()) {
      try {
        byte[] read = Files.readAllBytes(file.get());
        if (copies.get(sha256) == null) {
          adopt(sha256); // kept behind the cache's back: count it now
        }
        hits++;
        return Optional.of(read);
      } catch (IOException gone) {
        // deleted meanwhile: fetch it again
      }
    }
    misses++;
    return Optional.empty();
  }

  /** Copies a fetched original here; returns its thumbnail (empty when it does not decode). */
  private Optional<byte[]> admit(byte[] original) {
    BufferedImage image;
    try {
      image = ImageIO.read(new ByteArrayInputStream(original));
    } catch (IOException e) {
      return Optional.empty();
    }
    if (image == null) {
      return Optional.empty();
    }
    String sha = ImageStore.sha256(original);
    synchronized (this) {
      if (copies.get(sha) == null) {
        keepMakingRoom(original, image).ifPresent(this::add);
      }
      // read before the bound is enforced: a copy larger than the bound still answers this once
      Optional<byte[]> thumbnail = store.thumbnail(sha).flatMap(OriginalsCache::read);
      evictOverBound();
      return thumbnail.or(() -> Optional.of(ImageStore.thumbnail(image)));
    }
  }

  private Optional<String> keepMakingRoom(byte[] original, BufferedImage image) {
    while (true) {
      Optional<String> kept = store.keep(original, image);
      if (kept.isPresent() || copies.isEmpty()) {
        return kept;
      }
      evictEldest(); // the store's cap is reached: make room
    }
  }

  private void add(String sha) {
    long size = store.bytesOf(sha);
    copies.put(sha, size);
    bytes += size;
  }

  private void adopt(String sha) {
    store.retain(sha); // the cache's one reference
    add(sha);
  }

  private void evictOverBound() {
    while (bytes > maxBytes && !copies.isEmpty()) {
      evictEldest();
    }
  }

  private void evictEldest() {
    Iterator<Map.Entry<String, Long>> eldest = copies.entrySet().iterator();
    Map.Entry<String, Long> entry = eldest.next();
    eldest.remove();
    bytes -= entry.getValue();
    evictions++;
    store.release(entry.getKey()); // its last reference: the files go
  }

  private static Optional<byte[]> read(Path file) {
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (IOException gone) {
      return Optional.empty();
    }
  }
}
