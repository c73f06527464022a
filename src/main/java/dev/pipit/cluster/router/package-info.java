/**
 * The cluster router ({@code pipit.cluster.mode=router}): a stateless process of the same jar that
 * holds no index and no model. It sends each search to one replica per shard (round robin, another
 * replica on failure), merges an exact top-k, and sends each write to a replica of its id's shard.
 */
package dev.pipit.cluster.router;
