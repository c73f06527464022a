package dev.pipit.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.cluster.ClusterTestPostgres;
import dev.pipit.cluster.ShardFunction;
import dev.pipit.gallery.ImageStore;
import dev.pipit.gallery.OriginalsCache;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's local copies of the originals in PostgreSQL stay under their bound (least recently used
 * first out) and every image is still served, byte for byte, from PostgreSQL when evicted.
 */
class OriginalsCacheTests {

  private final Random random = new Random(11);
  private PostgresOriginals shared;

  @BeforeEach
  void database() throws Exception {
    ClusterTestPostgres.Database db = ClusterTestPostgres.newDatabase();
    ClusterSchema.migrate(db.dataSource());
    shared = new PostgresOriginals(new ClusterStore(db.dataSource(), new ShardFunction(1)));
  }

  @Test
  void staysUnderItsBoundAndServesEveryImageCorrectly(@TempDir Path dir) throws Exception {
    Map<String, byte[]> images = sharedImages(12);
    ImageStore store = ImageStore.open(dir, 1L << 30);
    long one = sizeOfOneCopy(images);
    long bound = 4 * one + one / 2; // about four copies
    OriginalsCache cache = OriginalsCache.open(store, shared, bound);
    List<String> names = new ArrayList<>(images.keySet());
    for (int round = 0; round < 3; round++) {
      Collections.shuffle(names, random);
      for (String sha : names) {
        assertThat(cache.original(sha)).hasValue(images.get(sha));
        assertThat(cache.original(sha)).hasValue(images.get(sha)); // now a local hit
        BufferedImage thumbnail = decode(cache.thumbnail(sha).orElseThrow());
        assertThat(Math.max(thumbnail.getWidth(), thumbnail.getHeight()))
            .isEqualTo(ImageStore.THUMBNAIL_SIZE);
        assertThat(cache.stats().bytes()).isLessThanOrEqualTo(bound);
        assertThat(store.usedBytes()).isLessThanOrEqualTo(bound);
      }
    }
    OriginalsCache.Stats stats = cache.stats();
    assertThat(stats.misses()).isGreaterThanOrEqualTo(images.size());
    assertThat(stats.hits()).isGreaterThanOrEqualTo(2L * 3 * images.size());
    // a copy used again at the start of the next round may still be there: at most 4 per round
    assertThat(stats.evictions()).isGreaterThanOrEqualTo(3L * images.size() - 4 - 2 * 4);
    assertThat(stats.originals()).isBetween(1, 4);
    assertThat(store.originals()).isEqualTo(stats.originals());
    assertThat(cache.original("0".repeat(64))).isEmpty();
    assertThat(cache.thumbnail("0".repeat(64))).isEmpty();
  }

  @Test
  void theLeastRecentlyUsedCopyGoesFirst(@TempDir Path dir) throws Exception {
    Map<String, byte[]> images = sharedImages(4);
    List<String> sha = new ArrayList<>(images.keySet());
    ImageStore store = ImageStore.open(dir, 1L << 30);
    OriginalsCache cache = OriginalsCache.open(store, shared, 3 * sizeOfOneCopy(images) + 1_000);
    cache.original(sha.get(0));
    cache.original(sha.get(1));
    cache.original(sha.get(2));
    cache.thumbnail(sha.get(0)); // 0 used again: 1 is the least recently used now
    cache.original(sha.get(3));
    assertThat(store.original(sha.get(1))).isEmpty();
    assertThat(store.original(sha.get(0))).isPresent();
    assertThat(store.original(sha.get(2))).isPresent();
    assertThat(store.original(sha.get(3))).isPresent();
    assertThat(cache.stats().evictions()).isEqualTo(1);
  }

  @Test
  void theStoresCapMakesRoomTooAndARestartAdoptsWhatIsLeft(@TempDir Path dir) throws Exception {
    Map<String, byte[]> images = sharedImages(10);
    long one = sizeOfOneCopy(images);
    // the store's own cap is the tighter one here: the cache evicts to make room under it
    ImageStore store = ImageStore.open(dir, 3 * one + one / 2);
    OriginalsCache cache = OriginalsCache.open(store, shared, 1L << 30);
    for (Map.Entry<String, byte[]> image : images.entrySet()) {
      assertThat(cache.original(image.getKey())).hasValue(image.getValue());
      assertThat(store.usedBytes()).isLessThanOrEqualTo(3 * one + one / 2);
    }
    assertThat(store.refusals()).isPositive(); // the cap was hit, and room was made
    assertThat(cache.stats().originals()).isEqualTo(3);
    // an original written through this node enters the cache (and evicts)
    byte[] written = png();
    BufferedImage image = decode(written);
    String writtenSha = cache.keep(written, image).orElseThrow();
    assertThat(writtenSha).isEqualTo(sha256(written));
    assertThat(store.original(writtenSha)).isPresent();
    assertThat(store.usedBytes()).isLessThanOrEqualTo(3 * one + one / 2);

    // a restart with a smaller bound: the copies on disk are adopted, then evicted to fit
    ImageStore reopened = ImageStore.open(dir, 1L << 30);
    OriginalsCache restarted = OriginalsCache.open(reopened, shared, one + one / 2);
    assertThat(restarted.stats().originals()).isEqualTo(1);
    assertThat(reopened.usedBytes()).isLessThanOrEqualTo(one + one / 2);
    assertThat(restarted.stats().bytes()).isEqualTo(reopened.usedBytes());
    // the newest copy stays (the written one)
    assertThat(reopened.original(writtenSha)).isPresent();
    for (Map.Entry<String, byte[]> e : images.entrySet()) {
      assertThat(restarted.original(e.getKey())).hasValue(e.getValue());
    }
  }

  /** Bytes one copy takes (original and thumbnail), measured on a scratch store. */
  private long sizeOfOneCopy(Map<String, byte[]> images) throws Exception {
    long most = 0;
    Path scratch = Files.createTempDirectory("one-copy");
    ImageStore store = ImageStore.open(scratch, 1L << 30);
    for (byte[] bytes : images.values()) {
      String sha = store.keep(bytes, decode(bytes)).orElseThrow();
      most = Math.max(most, store.bytesOf(sha));
    }
    return most;
  }

  private Map<String, byte[]> sharedImages(int n) throws Exception {
    Map<String, byte[]> images = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      byte[] png = png();
      String sha = sha256(png);
      shared.put(sha, png);
      images.put(sha, png);
    }
    return images;
  }

  private byte[] png() throws Exception {
    BufferedImage image = new BufferedImage(200, 150, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 150; y++) {
      for (int x = 0; x < 200; x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  private static BufferedImage decode(byte[] bytes) throws Exception {
    return ImageIO.read(new ByteArrayInputStream(bytes));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
