package dev.pipit.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** JSON bodies over the byte limit are refused with 413 problem+json before any parsing. */
class JsonBodyLimitFilterTests {

  private final JsonBodyLimitFilter filter = new JsonBodyLimitFilter(16);

  private static MockHttpServletRequest post(String contentType, String body) {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/index");
    request.setContentType(contentType);
    request.setContent(body.getBytes(StandardCharsets.UTF_8));
    return request;
  }

  @Test
  void aBodyOverTheLimitIs413ProblemJsonAndNeverReachesTheChain() throws Exception {
    MockHttpServletResponse response = new MockHttpServletResponse();
    AtomicReference<Object> reached = new AtomicReference<>();
    filter.doFilter(
        post("application/json", "{\"k\": \"0123456789abcdef\"}"),
        response,
        (req, res) -> reached.set(req));
    assertThat(response.getStatus()).isEqualTo(413);
    assertThat(response.getContentType()).startsWith("application/problem+json");
    assertThat(response.getContentAsString()).contains("more than the limit of 16 bytes");
    assertThat(reached.get()).isNull();
  }

  @Test
  void aBodyWithinTheLimitIsPassedOnIntact() throws Exception {
    MockHttpServletResponse response = new MockHttpServletResponse();
    AtomicReference<String> seen = new AtomicReference<>();
    filter.doFilter(
        post("application/merge-patch+json", "{\"k\": 1}"),
        response,
        (req, res) -> seen.set(new String(req.getInputStream().readAllBytes())));
    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(seen.get()).isEqualTo("{\"k\": 1}");
  }

  @Test
  void otherMediaTypesAreNotItsBusiness() throws Exception {
    MockHttpServletResponse response = new MockHttpServletResponse();
    AtomicReference<Object> reached = new AtomicReference<>();
    filter.doFilter(
        post("multipart/form-data; boundary=x", "x".repeat(100)),
        response,
        (req, res) -> reached.set(req));
    assertThat(reached.get()).isNotNull();
    assertThat(response.getStatus()).isEqualTo(200);
  }
}
