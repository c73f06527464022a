package dev.pipit.cluster.router;

/** Told what the router does, for metrics ({@code pipit_router_*}). */
public interface RouterListener {

  RouterListener NONE = new RouterListener() {};

  /** A search fanned out to every shard and answered, after {@code nanos}. */
  default void fannedOut(long nanos, boolean partial) {}

  /** A call to a replica failed and the router tries another one. */
  default void retried() {}

  /** Every replica of a shard failed. */
  default void shardMissing(int shard) {}
}
