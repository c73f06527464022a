package dev.pipit.cluster.node;

/** A write for an id of another shard reached this node (the router or client chose wrongly). */
public final class WrongShardException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int shard;

  public WrongShardException(String id, int shard, int ownShard) {
    super("item " + id + " belongs to shard " + shard + "; this node serves shard " + ownShard);
    this.shard = shard;
  }

  /** The shard the id belongs to. */
  public int shard() {
    return shard;
  }
}
