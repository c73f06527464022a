package dev.pipit.cluster.router;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** A multipart/form-data body built part by part, for the calls the router makes to nodes. */
final class Multipart {

  private final String boundary = "pipit-" + UUID.randomUUID();
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();

  String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  /** A part; {@code filename} null for a plain form field. */
  Multipart part(String name, String filename, String contentType, byte[] content) {
    StringBuilder head = new StringBuilder("--").append(boundary).append("\r\n");
    head.append("Content-Disposition: form-data; name=\"").append(quoted(name)).append('"');
    if (filename != null) {
      head.append("; filename=\"").append(quoted(filename)).append('"');
    }
    head.append("\r\n");
    if (contentType != null) {
      head.append("Content-Type: ").append(contentType).append("\r\n");
    }
    head.append("\r\n");
    body.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
    body.writeBytes(content);
    body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    return this;
  }

  byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(body.toByteArray());
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  private static String quoted(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "").replace("\n", "");
  }
}
