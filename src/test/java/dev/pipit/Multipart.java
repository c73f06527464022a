package dev.pipit;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** A multipart/form-data body for {@link java.net.http.HttpClient} requests. */
public final class Multipart {

  private final String boundary = "pipit-" + UUID.randomUUID();
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();

  /** Adds a file part. */
  public Multipart file(String name, String filename, String contentType, byte[] bytes) {
    head(
        "Content-Disposition: form-data; name=\""
            + name
            + "\"; filename=\""
            + filename
            + "\"\r\nContent-Type: "
            + contentType);
    body.writeBytes(bytes);
    body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return this;
  }

  /** Adds a JSON part. */
  public Multipart json(String name, String json) {
    return file(name, name + ".json", "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  private void head(String headers) {
    body.writeBytes(
        ("--" + boundary + "\r\n" + headers + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
  }

  /** The Content-Type header value. */
  public String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  /** The body, closed. */
  public HttpRequest.BodyPublisher publisher() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(body.toByteArray());
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return HttpRequest.BodyPublishers.ofByteArray(out.toByteArray());
  }
}
