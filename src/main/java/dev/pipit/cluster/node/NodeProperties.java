package dev.pipit.cluster.node;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code pipit.cluster.*} of a node ({@code pipit.cluster.mode=node}); names as in the cluster
 * contract (docs/scaling.md).
 *
 * @param mode {@code standalone} (default), {@code node} or {@code router}
 * @param shards number of shards S
 * @param shard the shard this node serves, 0..S-1
 * @param postgres the system of record
 * @param readWait longest a search with {@code minSequence} waits for this node to reach it
 * @param codeBits code length of a node started without {@code pipit.serving.model} (codes only)
 * @param codeModel model id of such a node's codes
 * @param loadNetworks whether such a node loads the network of a model activated later, from its
 *     models directory, to answer images (true); false makes it a light node that serves codes only
 * @param tailBatch change-log records read per query while catching up
 * @param tailPoll longest the tail sleeps without a NOTIFY before it looks again
 * @param snapshotInterval time after which a changed replica writes its local snapshot (0: never)
 * @param snapshotEveryChanges applied changes after which it writes one (0: never); both are {@link
 *     ReplicaSnapshotPolicy}, besides the snapshot of a graceful stop
 */
@ConfigurationProperties("pipit.cluster")
public record NodeProperties(
    @DefaultValue("standalone") String mode,
    @DefaultValue("1") int shards,
    @DefaultValue("0") int shard,
    @DefaultValue Postgres postgres,
    @DefaultValue("5s") Duration readWait,
    @DefaultValue("64") int codeBits,
    @DefaultValue("codes") String codeModel,
    @DefaultValue("true") boolean loadNetworks,
    @DefaultValue("2000") int tailBatch,
    @DefaultValue("1s") Duration tailPoll,
    @DefaultValue("10m") Duration snapshotInterval,
    @DefaultValue("1000000") long snapshotEveryChanges,
    @DefaultValue("1GB") DataSize originalsCacheBytes) {

  /**
   * @param url JDBC URL, e.g. {@code jdbc:postgresql://host:5432/pipit}
   * @param username its user
   * @param password its password
   */
  public record Postgres(String url, String username, String password) {}

  /** The node's settings, serving {@code model} with codes of {@code bits} bits at start. */
  public ClusterNode.Settings settings(Path dataDir, String model, int bits) {
    if (postgres.url() == null || postgres.url().isBlank()) {
      throw new IllegalStateException(
          "pipit.cluster.mode=node needs pipit.cluster.postgres.url (PIPIT_CLUSTER_POSTGRES_URL)");
    }
    return new ClusterNode.Settings(
        postgres.url(),
        postgres.username(),
        postgres.password(),
        shards,
        shard,
        dataDir,
        model,
        bits,
        readWait,
        tailBatch,
        tailPoll,
        new ReplicaSnapshotPolicy(snapshotInterval, snapshotEveryChanges));
  }
}
