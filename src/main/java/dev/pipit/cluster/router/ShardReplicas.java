package dev.pipit.cluster.router;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The replicas of every shard, and the round-robin order in which the router tries them: each call
 * starts at the next replica, and a retry takes the one after it.
 */
public final class ShardReplicas {

  private final List<List<URI>> shards;
  private final List<AtomicInteger> next = new ArrayList<>();
  private final AtomicInteger nextNode = new AtomicInteger();

  ShardReplicas(List<List<URI>> shards) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("pipit.cluster.router.shard-urls lists no shard");
    }
    for (int i = 0; i < shards.size(); i++) {
      if (shards.get(i).isEmpty()) {
        throw new IllegalArgumentException("shard " + i + " has no replica URL");
      }
      next.add(new AtomicInteger());
    }
    this.shards = List.copyOf(shards.stream().map(List::copyOf).toList());
  }

  /** From {@code pipit.cluster.router.shard-urls}: one comma-separated list of URLs per shard. */
  public static ShardReplicas parse(List<String> shardUrls) {
    if (shardUrls == null) {
      throw new IllegalArgumentException("pipit.cluster.router.shard-urls is required");
    }
    List<List<URI>> shards = new ArrayList<>();
    for (String urls : shardUrls) {
      List<URI> replicas = new ArrayList<>();
      for (String url : urls.split(",")) {
        String trimmed = url.strip();
        if (!trimmed.isEmpty()) {
          replicas.add(URI.create(trimmed.endsWith("/") ? trimmed : trimmed + "/"));
        }
      }
      shards.add(replicas);
    }
    return new ShardReplicas(shards);
  }

  public int shards() {
    return shards.size();
  }

  public List<URI> replicas(int shard) {
    return shards.get(shard);
  }

  /** Shard {@code shard}'s replicas, starting at the next one in round-robin order. */
  List<URI> inTurn(int shard) {
    return rotated(shards.get(shard), next.get(shard).getAndIncrement());
  }

  /** Every replica of every shard, starting at the next one in round-robin order. */
  List<URI> anyNodeInTurn() {
    List<URI> all = shards.stream().flatMap(List::stream).toList();
    return rotated(all, nextNode.getAndIncrement());
  }

  private static List<URI> rotated(List<URI> replicas, int turn) {
    int start = Math.floorMod(turn, replicas.size());
    List<URI> order = new ArrayList<>(replicas.size());
    for (int i = 0; i < replicas.size(); i++) {
      order.add(replicas.get((start + i) % replicas.size()));
    }
    return order;
  }
}
