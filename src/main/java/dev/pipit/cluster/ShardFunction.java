package dev.pipit.cluster;

import java.nio.charset.StandardCharsets;

/**
 * Which shard an item id belongs to: {@code floorMod(murmur3_32(utf8(id), seed 0), shards)}. Nodes
 * accept writes of their own shard only and the router sends each write to the id's shard, so this
 * is the one definition both use. MurmurHash3 (x86, 32-bit) because it is stable across languages
 * and versions, unlike {@link String#hashCode()}'s poor spread on sequential ids; an operator can
 * compute an id's shard from any client with a murmur3 library.
 */
public final class ShardFunction {

  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private final int shards;

  public ShardFunction(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1, got " + shards);
    }
    this.shards = shards;
  }

  public int shards() {
    return shards;
  }

  public int shardOf(String id) {
    return Math.floorMod(murmur3(id.getBytes(StandardCharsets.UTF_8), 0), shards);
  }

  /** MurmurHash3_x86_32 of {@code data}. */
  static int murmur3(byte[] data, int seed) {
    int h = seed;
    int blocks = data.length / 4;
    for (int i = 0; i < blocks; i++) {
      int b = i * 4;
      int k =
          (data[b] & 0xff)
              | (data[b + 1] & 0xff) << 8
              | (data[b + 2] & 0xff) << 16
              | (data[b + 3] & 0xff) << 24;
      h ^= mixK(k);
      h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
    }
    int tail = blocks * 4;
    int k = 0;
    switch (data.length & 3) {
      case 3:
        k ^= (data[tail + 2] & 0xff) << 16;
      // fall through
      case 2:
        k ^= (data[tail + 1] & 0xff) << 8;
      // fall through
      case 1:
        k ^= data[tail] & 0xff;
        h ^= mixK(k);
      // fall through
      default:
        break;
    }
    h ^= data.length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  private static int mixK(int k) {
    k *= C1;
    k = Integer.rotateLeft(k, 15);
    return k * C2;
  }
}
