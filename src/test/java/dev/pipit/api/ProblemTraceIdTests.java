package dev.pipit.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;

/**
 * A 5xx problem names the trace id that Micrometer Tracing put in the request thread's MDC (the id
 * the request's log lines show), whichever handler built it; a 4xx does not.
 */
class ProblemTraceIdTests {

  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  final ApiExceptionHandler handler = new ApiExceptionHandler();
  final ServletWebRequest request = new ServletWebRequest(new MockHttpServletRequest());

  @AfterEach
  void clearMdc() {
    MDC.remove("traceId");
  }

  @Test
  void pipitsOwn5xxCarriesTheTraceIdAnd4xxDoesNot() {
    MDC.put("traceId", TRACE);
    ProblemDetail internal = handler.unexpected(new IllegalStateException("boom"));
    assertThat(internal.getStatus()).isEqualTo(500);
    assertThat(internal.getProperties()).containsEntry("traceId", TRACE);

    ProblemDetail bad = handler.badArgument(new IllegalArgumentException("no"));
    assertThat(bad.getProperties()).isNull();
  }

  @Test
  void springsOwn5xxCarriesTheTraceIdAnd4xxDoesNot() throws Exception {
    MDC.put("traceId", TRACE);
    ResponseEntity<Object> timeout =
        handler.handleException(new AsyncRequestTimeoutException(), request);
    assertThat(timeout.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
    assertThat(((ProblemDetail) timeout.getBody()).getProperties()).containsEntry("traceId", TRACE);

    ResponseEntity<Object> method =
        handler.handleException(
            new HttpRequestMethodNotSupportedException("PATCH", List.of("GET")), request);
    assertThat(method.getStatusCode()).isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
    assertThat(((ProblemDetail) method.getBody()).getProperties()).isNull();
  }

  @Test
  void withoutATraceThereIsNoTraceIdProperty() {
    ProblemDetail internal = handler.unexpected(new IllegalStateException("boom"));
    assertThat(internal.getProperties()).isNull();
  }
}
