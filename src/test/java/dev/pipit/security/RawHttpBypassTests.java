package dev.pipit.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The bypass spellings again, through Tomcat: raw request lines on a socket, so that no client
 * normalises the path, and Tomcat's own decoding (path parameters, {@code %xx}, {@code ..}) is what
 * the security layer sees.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(HandlerRecorder.class)
class RawHttpBypassTests {

  @TempDir static Path dir;

  @LocalServerPort int port;
  @Autowired HandlerRecorder handlers;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.engine.device", () -> "cpu");
    TestKeys.register(registry);
  }

  /** A raw response: its status and everything after the status line. */
  record Response(int status, String rest) {}

  @BeforeEach
  void forgetHandlers() {
    handlers.reached.clear();
  }

  static Stream<Arguments> attempts() {
    return RouteAuthorizationTests.ROUTES.stream()
        .filter(route -> !route.role().equals("read"))
        .flatMap(
            route -> {
              String insufficient = route.role().equals("admin") ? TestKeys.WRITE : TestKeys.READ;
              return RouteAuthorizationTests.bypasses(route.path()).stream()
                  .flatMap(
                      path ->
                          Stream.of(
                              Arguments.of(route.method().name(), path, route.json(), null),
                              Arguments.of(
                                  route.method().name(), path, route.json(), insufficient)));
            });
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("attempts")
  void noSpellingReachesAProtectedHandlerThroughTomcat(
      String method, String path, String json, String key) throws Exception {
    Response response = send(method, path, json, key);
    assertThat(response.status()).isIn(400, 401, 403, 404);
    assertThat(handlers.reached).isEmpty();
    if (path.contains(";")) {
      // rejected by Spring Security's firewall, answered by pipit (not a Tomcat page)
      assertThat(response.status()).isEqualTo(400);
      assertThat(response.rest()).containsIgnoringCase("Content-Type: application/problem+json");
    }
  }

  @Test
  void theRightKeyStillGetsThrough() throws Exception {
    Response response = send("POST", "/v1/train-jobs/job-1/cancel", null, TestKeys.ADMIN);
    assertThat(response.status()).isEqualTo(404); // the handler ran: no such job
    assertThat(handlers.reached).containsExactly("TrainJobController.cancel");
    handlers.reached.clear();
    response = send("POST", "/v1/train-jobs/job-1/cancel", null, null);
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.rest()).contains("WWW-Authenticate: Bearer");
    assertThat(handlers.reached).isEmpty();
  }

  private Response send(String method, String path, String json, String key) throws IOException {
    byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
    StringBuilder head =
        new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n")
            .append("Connection: close\r\nContent-Length: ")
            .append(body.length)
            .append("\r\n");
    if (json != null) {
      head.append("Content-Type: application/json\r\n");
    }
    if (key != null) {
      head.append("Authorization: Bearer ").append(key).append("\r\n");
    }
    head.append("\r\n");
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.ISO_8859_1);
      String statusLine = text.substring(0, text.indexOf("\r\n"));
      return new Response(Integer.parseInt(statusLine.split(" ")[1]), text);
    }
  }
}
