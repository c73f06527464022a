package dev.pipit.config;

import java.util.Arrays;

/** Whether the service starts as a cluster node ({@code pipit.cluster.mode=node}). */
public final class NodeMode {

  private NodeMode() {}

  /**
   * Whether {@code pipit.cluster.mode=node} is asked for: on the command line, as a system property
   * or as PIPIT_CLUSTER_MODE. The service then adds profile {@code node} (application-node.yml).
   */
  public static boolean requested(String[] args) {
    return Arrays.asList(args).contains("--pipit.cluster.mode=node")
        || "node".equals(System.getProperty("pipit.cluster.mode"))
        || "node".equals(System.getenv("PIPIT_CLUSTER_MODE"));
  }
}
