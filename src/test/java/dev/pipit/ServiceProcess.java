package dev.pipit;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The packaged pipit jar started as a real process on a free port, for end-to-end tests that talk
 * to it over HTTP only. Its console output goes to a log file that failures can quote.
 */
public final class ServiceProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServiceProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts {@code java -jar} on the jar the build just packaged (system property {@code
   * pipit.jar}).
   *
   * @param workDir working directory (data lands under it)
   * @param jvmArgs extra JVM options
   * @param appArgs extra application arguments ({@code --pipit.x=y})
   */
  public static ServiceProcess start(Path workDir, List<String> jvmArgs, List<String> appArgs)
      throws IOException {
    String jar = System.getProperty("pipit.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "system property pipit.jar must name the packaged jar, was " + jar);
    }
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--add-modules=jdk.incubator.vector");
    command.addAll(jvmArgs);
    command.addAll(
        List.of("-jar", Path.of(jar).toAbsolutePath().toString(), "--server.port=" + port));
    command.addAll(appArgs);
    Path log = workDir.resolve("service.log");
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    builder.environment().put("OPT_OUT_TRACKING", "true");
    return new ServiceProcess(builder.start(), port, log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /** Polls {@code /readyz} until it answers 200, the process dies, or the timeout passes. */
  public void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "service exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        if (get("/readyz").statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // keep polling
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("service not ready within " + timeout + ":\n" + log());
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * POSTs {@code body} with {@code contentType} and optional extra header pairs (name, value, …).
   */
  public HttpResponse<String> post(
      String path, String contentType, HttpRequest.BodyPublisher body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", contentType)
            .POST(body);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** POSTs a JSON body. */
  public HttpResponse<String> postJson(String path, String json, String... headers)
      throws IOException, InterruptedException {
    return post(path, "application/json", HttpRequest.BodyPublishers.ofString(json), headers);
  }

  /** POSTs a multipart form. */
  public HttpResponse<String> post(String path, Multipart form, String... headers)
      throws IOException, InterruptedException {
    return post(path, form.contentType(), form.publisher(), headers);
  }

  /** DELETE with optional extra header pairs (name, value, …), e.g. the write key. */
  public HttpResponse<String> delete(String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).DELETE();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** POSTs {@code calls} searches for {@code image} at once, a virtual thread each: the answers. */
  public List<HttpResponse<String>> searchAtOnce(String fileName, byte[] image, int calls)
      throws Exception {
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<HttpResponse<String>>> pending = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        pending.add(
            clients.submit(
                () ->
                    post(
                        "/v1/search?k=1",
                        new Multipart().file("image", fileName, "image/jpeg", image))));
      }
      List<HttpResponse<String>> answers = new ArrayList<>();
      for (Future<HttpResponse<String>> call : pending) {
        answers.add(call.get());
      }
      return answers;
    }
  }

  /**
   * Submits the train job {@code json} (with header pairs such as the admin key) and polls it for
   * up to 5 minutes until it ended; asserts that it was accepted and succeeded.
   *
   * @return the finished job's JSON
   */
  public String trainToCompletion(String json, String... headers) throws Exception {
    HttpResponse<String> accepted = postJson("/v1/train-jobs", json, headers);
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String location = accepted.headers().firstValue("Location").orElseThrow();
    String state = "";
    String job = "";
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (!state.equals("SUCCEEDED") && !state.equals("FAILED") && System.nanoTime() < deadline) {
      Thread.sleep(500);
      job = get(location).body();
      state = JsonPath.read(job, "$.state");
    }
    assertThat(state).as(job).isEqualTo("SUCCEEDED");
    return job;
  }

  /**
   * Activates {@code model} (with header pairs such as the admin key) and polls the activation for
   * up to 2 minutes while it runs; asserts that it was accepted and succeeded.
   *
   * @return the finished activation's status JSON
   */
  public String activate(String model, String... headers) throws Exception {
    HttpResponse<String> accepted =
        post(
            "/v1/models/" + model + "/activate",
            "application/json",
            HttpRequest.BodyPublishers.noBody(),
            headers);
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String state = "RUNNING";
    String status = "";
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (state.equals("RUNNING") && System.nanoTime() < deadline) {
      Thread.sleep(200);
      status = get("/v1/models/activation").body();
      state = JsonPath.read(status, "$.state");
    }
    assertThat(state).as(status).isEqualTo("SUCCEEDED");
    return status;
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  public HttpClient http() {
    return http;
  }

  /** Everything the process printed so far. */
  public String log() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  public Process process() {
    return process;
  }

  /** The threads of the process now ({@code jcmd <pid> Thread.print}), to explain a hang. */
  public String threadDump() {
    try {
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(process.pid()),
                  "Thread.print")
              .redirectErrorStream(true)
              .start();
      String dump = new String(jcmd.getInputStream().readAllBytes());
      jcmd.waitFor(30, TimeUnit.SECONDS);
      return dump;
    } catch (IOException | InterruptedException e) {
      return "no thread dump: " + e;
    }
  }

  /** Kills the process with SIGKILL (no shutdown hooks run) and waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the service survived SIGKILL for 30 s");
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
