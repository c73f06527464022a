package dev.pipit.config;

import dev.pipit.cluster.router.ClusterRouter;
import dev.pipit.cluster.router.NodeCalls;
import dev.pipit.cluster.router.RouterEndpoints;
import dev.pipit.cluster.router.RouterProperties;
import dev.pipit.cluster.router.ShardReadiness;
import dev.pipit.cluster.router.ShardReplicas;
import dev.pipit.metrics.RouterMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The service in the cluster's router role ({@code pipit.cluster.mode=router}): Spring Boot with
 * the router's beans only, no model, no index, no component scan (this class is no component, so
 * the standalone service never picks it up). Profile {@code router} (application-router.yml) sets
 * what differs, such as the readiness group.
 *
 * <p>The router checks no credential itself: it passes the caller's Authorization header to the
 * nodes, which check it as they always do, and answers with their 401/403.
 */
@EnableAutoConfiguration(
    excludeName =
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration")
@EnableConfigurationProperties(RouterProperties.class)
public class RouterApplication {

  private static final Logger log = LoggerFactory.getLogger(RouterApplication.class);

  static final String MODE = "pipit.cluster.mode";

  /**
   * Whether {@code pipit.cluster.mode=router} is asked for: on the command line, as a system
   * property or as PIPIT_CLUSTER_MODE.
   */
  public static boolean requested(String[] args) {
    boolean inArgs = Arrays.asList(args).contains("--" + MODE + "=router");
    return inArgs
        || "router".equals(System.getProperty(MODE))
        || "router".equals(System.getenv("PIPIT_CLUSTER_MODE"));
  }

  public static void run(String[] args) {
    SpringApplication application = new SpringApplication(RouterApplication.class);
    application.setAdditionalProfiles("router");
    application.run(args);
  }

  @Bean
  RouterMeters routerMeters(MeterRegistry registry) {
    return new RouterMeters(registry);
  }

  @Bean(destroyMethod = "close")
  NodeCalls nodeCalls(RouterProperties properties, RouterMeters meters) {
    return new NodeCalls(
        ShardReplicas.parse(properties.shardUrls()),
        properties.timeout(),
        properties.maxConcurrency(),
        meters);
  }

  @Bean
  ClusterRouter clusterRouter(NodeCalls nodes, RouterProperties properties, RouterMeters meters) {
    if (properties.nodeApiKey() == null || properties.nodeApiKey().isBlank()) {
      log.warn(
          "pipit.cluster.router.node-api-key is not set: a search by image is encoded on a node"
              + " (POST /v1/encode, admin) with the caller's own credential, so anonymous searches"
              + " by image are refused (401)");
    }
    return new ClusterRouter(nodes, properties.nodeApiKey(), meters);
  }

  @Bean
  RouterFunction<ServerResponse> routerEndpoints(ClusterRouter router) {
    return new RouterEndpoints(router).routes();
  }

  @Bean
  ShardReadiness shards(NodeCalls nodes, RouterProperties properties) {
    return new ShardReadiness(nodes.replicas(), properties.timeout());
  }

  /** Everything is let through to the nodes, which authorize; no session, no CSRF (an API). */
  @Bean
  SecurityFilterChain routerFilterChain(HttpSecurity http) throws Exception {
    return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
        .csrf(csrf -> csrf.disable())
        .build();
  }
}
