package dev.pipit.config;

import dev.pipit.cluster.node.ReplicaIndex;
import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.ModelRef;
import dev.pipit.gallery.ModelSwitch;
import dev.pipit.gallery.ServingModel;
import dev.pipit.gallery.ServingStartup;
import dev.pipit.gallery.ServingState;
import dev.pipit.model.ModelArtifact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a cluster node serves after an activation in its change log ({@code ReplicaIndex.onSwitch}).
 * A node that loaded a network loads the activated model's network from the models directory (the
 * artifact in the directory named like the model, with as many bits as its codes) and answers
 * images with it; the network it replaces is closed once requests still holding it had time to
 * finish. So does a node started without a model (a fresh deployment: the model is copied into
 * every node's models directory and activated once, through any node or the router). A light node
 * ({@code pipit.cluster.load-networks=false}), or one without a loadable artifact of that model,
 * serves the new codes by code only.
 *
 * <p>The switch itself happens on the tail's thread, at the activation's sequence, to the new codes
 * alone (never a mix of two models); the network loads afterwards on a thread of its own (seconds:
 * the tail must not stall that long), and images answer 503 until it serves. A switch that comes
 * while a load runs makes that load's network stale: it is closed unused.
 */
final class NodeModelFollower implements Consumer<ReplicaIndex.Served> {

  private static final Logger log = LoggerFactory.getLogger(NodeModelFollower.class);

  private ActiveModel active; // set by start, before the replica may call accept
  private final Path modelsDir;
  private final ModelSwitch.Opener opener;
  private final Duration closeGrace;
  // a daemon: a load under way does not hold up the JVM's exit
  private final ExecutorService loader =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().daemon().name("node-model-load").factory());
  private ReplicaIndex.Served latest; // guarded by this

  /**
   * @param modelsDir where artifacts are looked up, or null for a light node (codes only)
   */
  private NodeModelFollower(Path modelsDir, ModelSwitch.Opener opener, Duration closeGrace) {
    this.modelsDir = modelsDir;
    this.opener = opener;
    this.closeGrace = closeGrace;
  }

  /**
   * What a node serves at start, following its replica's switches from then on: with {@code
   * defaultModel}, that model if the replica serves it (as standalone starts it); else the network
   * of the model the replica serves now (activated since the node was configured, or before this
   * node started with none), looked up in {@code modelsDir}, or its codes alone where there is no
   * such artifact.
   *
   * @param modelsDir where activated models' artifacts are looked up; null for a light node, which
   *     never loads a network and serves codes only
   */
  static ActiveModel start(
      ReplicaIndex replica,
      ServingState state,
      Path defaultModel,
      Path modelsDir,
      ModelSwitch.Opener opener,
      Duration closeGrace)
      throws Exception {
    ReplicaIndex.Served served = replica.served();
    NodeModelFollower follower = new NodeModelFollower(modelsDir, opener, closeGrace);
    ActiveModel active;
    if (defaultModel == null) {
      active =
          new ActiveModel(
              modelsDir == null || served.activatedAt() == 0
                  ? codesOnly(served)
                  : follower.modelFor(served));
    } else if (ModelArtifact.open(defaultModel).manifest().name().equals(served.modelId())) {
      try {
        active = ServingStartup.open(state, defaultModel, opener);
      } catch (IllegalStateException e) {
        if (replica.served() == served) {
          throw e;
        }
        // the tail applied an activation while the network loaded: the opener refused it
        served = replica.served();
        active = new ActiveModel(follower.modelFor(served));
      }
    } else {
      log.info(
          "The cluster serves {} (activated), not {}: loading its network",
          served.modelId(),
          defaultModel);
      active = new ActiveModel(follower.modelFor(served));
    }
    follower.active = active;
    replica.onSwitch(follower);
    if (replica.served() != served) {
      follower.accept(replica.served()); // switched while this started: catch up with it
    }
    return active;
  }

  @Override
  public void accept(ReplicaIndex.Served served) {
    synchronized (this) {
      latest = served;
      retire(active.replace(codesOnly(served)));
    }
    if (modelsDir != null) {
      loader.execute(() -> load(served));
    }
  }

  private void load(ReplicaIndex.Served served) {
    ServingModel network = modelFor(served);
    if (!network.encodes()) {
      return;
    }
    synchronized (this) {
      if (latest == served) {
        retire(active.replace(network));
        log.info("Model {} activated: its network serves images now", served.modelId());
        return;
      }
    }
    log.info("Model {}: a later activation came while its network loaded", served.modelId());
    ModelSwitch.retireAfter(network, Duration.ZERO, () -> {});
  }

  private void retire(ServingModel previous) {
    if (previous != null && previous.encodes()) {
      ModelSwitch.retireAfter(previous, closeGrace, () -> {});
    }
  }

  /** The activated model's network over its replica index, or its codes alone. */
  ServingModel modelFor(ReplicaIndex.Served served) {
    Path dir = artifactDir(served.modelId());
    if (dir != null) {
      try {
        ModelArtifact artifact = ModelArtifact.open(dir);
        if (artifact.manifest().name().equals(served.modelId())
            && artifact.manifest().bits() == served.index().bits()) {
          // the opener serves the replica's served index, which is already this model's
          return opener.open(dir, null);
        }
        log.warn(
            "Model {} activated: the artifact in {} is {} ({} bits), not it; serving by code only",
            served.modelId(),
            dir,
            artifact.manifest().name(),
            artifact.manifest().bits());
      } catch (Exception | LinkageError e) {
        log.warn(
            "Model {} activated: its network in {} cannot be loaded ({}); serving by code only",
            served.modelId(),
            dir,
            e.toString());
      }
    }
    return codesOnly(served);
  }

  private Path artifactDir(String modelId) {
    if (modelsDir == null || !modelId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      return null;
    }
    Path dir = modelsDir.resolve(modelId);
    if (!Files.isDirectory(dir)) {
      log.warn(
          "Model {} activated: no artifact in {}; serving its codes by code only", modelId, dir);
      return null;
    }
    return dir;
  }

  static ServingModel codesOnly(ReplicaIndex.Served served) {
    return ServingModel.codesOnly(
        new ModelRef(served.modelId(), "codes", served.index().bits(), served.modelId()),
        served.index());
  }
}
