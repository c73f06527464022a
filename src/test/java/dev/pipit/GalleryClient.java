package dev.pipit;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * HTTP calls of the crash tests against a {@link ServiceProcess}. Every request is built by {@link
 * #request}, the one place that sets headers, so a credential the service starts to require is
 * added there once.
 */
public final class GalleryClient {

  /** The admin token the crash tests start the service with ({@code pipit.jobs.admin-token}). */
  public static final String ADMIN_TOKEN = "crash-admin-token";

  private final ServiceProcess service;
  private final String key;

  /** A client that authenticates with {@link #ADMIN_TOKEN}. */
  public GalleryClient(ServiceProcess service) {
    this(service, ADMIN_TOKEN);
  }

  /** A client that authenticates with {@code key} (e.g. a generated write key). */
  public GalleryClient(ServiceProcess service, String key) {
    this.service = service;
    this.key = key;
  }

  /** The argument that gives the service {@link #ADMIN_TOKEN}. */
  public static String adminTokenArg() {
    return "--pipit.jobs.admin-token=" + ADMIN_TOKEN;
  }

  /** A request to {@code path} with every header the service needs. */
  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(service.uri(path))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + key);
  }

  /** Sends a request built from {@link #request}, reading the body as text. */
  public HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return service.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** GET, body as text. */
  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(request(path).GET());
  }

  /** GET, body as bytes (kept originals, thumbnails). */
  public HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
    return service
        .http()
        .send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** POST of a JSON body. */
  public HttpResponse<String> postJson(String path, String json)
      throws IOException, InterruptedException {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** POST of a multipart form. */
  public HttpResponse<String> post(String path, Multipart form)
      throws IOException, InterruptedException {
    return send(request(path).header("Content-Type", form.contentType()).POST(form.publisher()));
  }

  /** POST without a body. */
  public HttpResponse<String> post(String path) throws IOException, InterruptedException {
    return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
  }

  /** DELETE. */
  public HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return send(request(path).DELETE());
  }

  /** Indexes one item by code ({@code POST /v1/index}, JSON). */
  public HttpResponse<String> indexCode(String id, String code, String label)
      throws IOException, InterruptedException {
    return postJson(
        "/v1/index",
        "{\"items\":[{\"id\":\""
            + id
            + "\",\"code\":\""
            + code
            + "\",\"label\":\""
            + label
            + "\"}]}");
  }
}
