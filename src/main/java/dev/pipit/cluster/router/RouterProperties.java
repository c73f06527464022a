package dev.pipit.cluster.router;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code pipit.cluster.router.*}.
 *
 * @param shardUrls element i: the comma-separated base URLs of shard i's replicas
 * @param timeout longest one call to one replica may take before the router tries another
 * @param maxConcurrency calls to nodes in flight at once, all requests together
 * @param nodeApiKey key with the admin role on the nodes, for {@code POST /v1/encode}; when unset
 *     the caller's own credential is sent
 */
@ConfigurationProperties("pipit.cluster.router")
public record RouterProperties(
    List<String> shardUrls,
    @DefaultValue("5s") Duration timeout,
    @DefaultValue("64") int maxConcurrency,
    String nodeApiKey) {}
