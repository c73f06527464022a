package dev.pipit.cluster.router;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls to nodes: one shard (its replicas in turn until one answers), or every shard at once (one
 * virtual thread per shard). A connection failure, a timeout, a 5xx or 429 moves on to the next
 * replica; any other answer (a success, or the request's own 4xx) is final. At most {@code
 * maxConcurrency} calls are in flight, all requests together.
 */
public final class NodeCalls implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeCalls.class);

  /** The outcome for one shard: the answer, or null with the last failure when none answered. */
  public record ShardResult(int shard, NodeAnswer answer, String failure) {

    /** Whether a replica gave a final answer (a success or the request's own 4xx). */
    public boolean answered() {
      return failure == null;
    }
  }

  private final ShardReplicas replicas;
  private final HttpClient client;
  private final Duration timeout;
  private final Semaphore inFlight;
  private final RouterListener listener;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  public NodeCalls(
      ShardReplicas replicas, Duration timeout, int maxConcurrency, RouterListener listener) {
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("max-concurrency must be >= 1, got " + maxConcurrency);
    }
    this.replicas = replicas;
    this.timeout = timeout;
    this.inFlight = new Semaphore(maxConcurrency);
    this.listener = listener;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .version(HttpClient.Version.HTTP_1_1)
            .executor(threads)
            .build();
  }

  public ShardReplicas replicas() {
    return replicas;
  }

  /** {@code request} (given a replica's base URI) to every shard, in parallel. */
  public List<ShardResult> everyShard(Function<URI, HttpRequest.Builder> request) {
    List<Future<ShardResult>> futures = new ArrayList<>();
    for (int shard = 0; shard < replicas.shards(); shard++) {
      int s = shard;
      futures.add(threads.submit(() -> oneShard(s, request)));
    }
    List<ShardResult> results = new ArrayList<>();
    for (Future<ShardResult> future : futures) {
      try {
        results.add(future.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the shards", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
    return results;
  }

  /** {@code request} to shard {@code shard}: its replicas in turn until one answers. */
  public ShardResult oneShard(int shard, Function<URI, HttpRequest.Builder> request) {
    return firstAnswer(shard, replicas.inTurn(shard), request);
  }

  /** {@code request} to any node of any shard (the same model everywhere): an encoding. */
  public ShardResult anyNode(Function<URI, HttpRequest.Builder> request) {
    return firstAnswer(-1, replicas.anyNodeInTurn(), request);
  }

  /**
   * {@code request} to every replica of every shard, in parallel: each one's answer, or null where
   * it failed (an activation job lives on the one node that took the activation).
   */
  public List<NodeAnswer> everyNode(Function<URI, HttpRequest.Builder> request) {
    List<Future<NodeAnswer>> futures = new ArrayList<>();
    for (URI base : replicas.anyNodeInTurn()) {
      futures.add(
          threads.submit(
              () -> {
                try {
                  return call(request.apply(base).timeout(timeout).build());
                } catch (IOException e) {
                  log.warn("node {} failed: {}", base, e.toString());
                  return null;
                }
              }));
    }
    List<NodeAnswer> answers = new ArrayList<>();
    for (Future<NodeAnswer> future : futures) {
      try {
        answers.add(future.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the nodes", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
    return answers;
  }

  private ShardResult firstAnswer(
      int shard, List<URI> order, Function<URI, HttpRequest.Builder> request) {
    NodeAnswer last = null;
    String failure = null;
    for (int i = 0; i < order.size(); i++) {
      if (i > 0) {
        listener.retried();
      }
      URI base = order.get(i);
      try {
        NodeAnswer answer = call(request.apply(base).timeout(timeout).build());
        if (!answer.retryable()) {
          return new ShardResult(shard, answer, null);
        }
        last = answer;
        failure = base + " answered " + answer.status();
      } catch (IOException e) {
        failure = base + ": " + e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = base + ": interrupted";
        break;
      }
      log.warn("shard {} replica failed: {}", shard, failure);
    }
    if (shard >= 0) {
      listener.shardMissing(shard);
    }
    // every replica failed: the last 5xx (say a 503 with Retry-After) is what a write passes on
    return new ShardResult(shard, last, failure);
  }

  private NodeAnswer call(HttpRequest request) throws IOException, InterruptedException {
    inFlight.acquire();
    try {
      HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      return new NodeAnswer(
          response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(null),
          response.headers().firstValue("Retry-After").orElse(null),
          response.body());
    } finally {
      inFlight.release();
    }
  }

  @Override
  public void close() {
    client.close();
    threads.close();
  }
}
