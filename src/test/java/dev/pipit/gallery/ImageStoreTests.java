package dev.pipit.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTests {

  @TempDir Path dir;

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static BufferedImage image(int w, int h) {
    return new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
  }

  @Test
  void identicalBytesAreKeptOnceAndDeletedWithTheirLastReference() throws Exception {
    ImageStore store = ImageStore.open(dir, 1 << 20);
    byte[] original = bytes(1000, 1);
    String first = store.keep(original, image(640, 480)).orElseThrow();
    String second = store.keep(original.clone(), image(640, 480)).orElseThrow();
    assertThat(second).isEqualTo(first).isEqualTo(ImageStore.sha256(original));
    assertThat(store.originals()).isEqualTo(1);
    assertThat(Files.readAllBytes(store.original(first).orElseThrow())).isEqualTo(original);
    assertThat(store.thumbnail(first)).isPresent();

    store.release(first);
    assertThat(store.original(first)).isPresent();
    store.release(first);
    assertThat(store.original(first)).isEmpty();
    assertThat(store.thumbnail(first)).isEmpty();
    assertThat(store.usedBytes()).isZero();
  }

  @Test
  void pastItsCapTheStoreKeepsNothingNew() throws Exception {
    ImageStore store = ImageStore.open(dir, 5000);
    assertThat(store.keep(bytes(3000, 1), image(8, 8))).isPresent();
    assertThat(store.keep(bytes(3000, 2), image(8, 8))).isEmpty();
    assertThat(store.usedBytes()).isLessThanOrEqualTo(5000);
    assertThat(store.originals()).isEqualTo(1);
  }

  @Test
  void thumbnailsFitInTheirBoxAndKeepTheAspectRatio() throws Exception {
    BufferedImage thumb =
        ImageIO.read(new ByteArrayInputStream(ImageStore.thumbnail(image(1600, 400))));
    assertThat(thumb.getWidth()).isEqualTo(ImageStore.THUMBNAIL_SIZE);
    assertThat(thumb.getHeight()).isEqualTo(40);
    BufferedImage small =
        ImageIO.read(new ByteArrayInputStream(ImageStore.thumbnail(image(20, 10))));
    assertThat(small.getWidth()).isEqualTo(20); // never enlarged
  }

  @Test
  void reopeningCountsBytesSweepsUnreferencedFilesAndDropsTornWrites() throws Exception {
    ImageStore store = ImageStore.open(dir, 1 << 20);
    String kept = store.keep(bytes(500, 1), image(10, 10)).orElseThrow();
    String orphan = store.keep(bytes(700, 2), image(10, 10)).orElseThrow();
    long used = store.usedBytes();
    Path torn = dir.resolve("ab").resolve("abc.tmp");
    Files.createDirectories(torn.getParent());
    Files.write(torn, bytes(100, 3));

    ImageStore reopened = ImageStore.open(dir, 1 << 20);
    assertThat(torn).doesNotExist();
    assertThat(reopened.usedBytes()).isEqualTo(used);
    reopened.retain(kept); // the gallery still refers to this one only
    assertThat(reopened.sweep()).isEqualTo(1);
    assertThat(reopened.original(kept)).isPresent();
    assertThat(reopened.original(orphan)).isEmpty();
    assertThat(reopened.usedBytes()).isLessThan(used);
  }

  @Test
  void namesOtherThanASha256AreNeverResolved() throws Exception {
    ImageStore store = ImageStore.open(dir, 1 << 20);
    assertThat(store.original("../../etc/passwd")).isEmpty();
    assertThat(store.original("ABCDEF")).isEmpty();
    assertThat(ImageStore.isName("a".repeat(64))).isTrue();
    assertThat(ImageStore.isName("A".repeat(64))).isFalse();
  }

  @Test
  void aDiskFaultKeepingOneOriginalFailsThatOneOnlyAndCountsNothing() throws Exception {
    ImageStore store = ImageStore.open(dir, 1 << 20);
    byte[] blocked = bytes(800, 7);
    String sha = ImageStore.sha256(blocked);
    // a regular file where its shard directory must go: creating the directory fails, even as root
    Files.write(dir.resolve(sha.substring(0, 2)), new byte[] {1});

    assertThatThrownBy(() -> store.keep(blocked, image(10, 10)))
        .isInstanceOf(ImageStoreException.class)
        .hasMessageContaining(sha);
    assertThat(store.originals()).isZero();
    assertThat(store.usedBytes()).isZero();

    byte[] other = otherShard(sha);
    String kept = store.keep(other, image(10, 10)).orElseThrow();
    assertThat(store.original(kept)).isPresent();
    assertThat(store.originals()).isEqualTo(1);
  }

  @Test
  void anOriginalWhoseThumbnailCannotBeWrittenIsNotLeftBehind() throws Exception {
    ImageStore store = ImageStore.open(dir, 1 << 20);
    byte[] original = bytes(900, 8);
    String sha = ImageStore.sha256(original);
    Path shard = Files.createDirectories(dir.resolve(sha.substring(0, 2)));
    // a non-empty directory where the thumbnail's temporary file must be written
    Files.createDirectories(shard.resolve(sha + ".thumb.jpg.tmp").resolve("x"));

    assertThatThrownBy(() -> store.keep(original, image(10, 10)))
        .isInstanceOf(ImageStoreException.class);
    assertThat(shard.resolve(sha)).doesNotExist();
    assertThat(shard.resolve(sha + ".tmp")).doesNotExist();
    assertThat(store.original(sha)).isEmpty();
    assertThat(store.usedBytes()).isZero();
  }

  @Test
  void durableReplaceLeavesOnlyTheTargetAndSyncsARealDirectory() throws Exception {
    Path target = dir.resolve("sub").resolve("file.json");
    DurableFiles.replace(target, new byte[] {1, 2});
    DurableFiles.replace(target, new byte[] {3});
    assertThat(Files.readAllBytes(target)).containsExactly(3);
    try (var files = Files.list(target.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("file.json");
    }
    // the directory fsync opens the directory itself: a missing one is an error, not a no-op
    assertThatThrownBy(() -> DurableFiles.syncDirectory(dir.resolve("missing")))
        .isInstanceOf(NoSuchFileException.class);
  }

  private static byte[] otherShard(String sha) {
    for (long seed = 100; ; seed++) {
      byte[] candidate = bytes(600, seed);
      if (!ImageStore.sha256(candidate).startsWith(sha.substring(0, 2))) {
        return candidate;
      }
    }
  }
}
