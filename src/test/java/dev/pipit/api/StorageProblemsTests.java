package dev.pipit.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import dev.pipit.index.PayloadBudgetExceededException;
import dev.pipit.index.StorageFailureException;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** How refused writes are answered: 507 for a full disk or budget, else 503 with Retry-After. */
class StorageProblemsTests {

  private final ApiExceptionHandler handler = new ApiExceptionHandler();

  @Test
  void aFullDiskIs507WithTheReasonAndNoRetryAfter() {
    ResponseEntity<ProblemDetail> response =
        handler.storageFailed(
            new StorageFailureException("not durable", new IOException("No space left on device")));
    assertThat(response.getStatusCode().value()).isEqualTo(507);
    assertThat(response.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
    assertThat(response.getBody().getProperties())
        .containsEntry("reason", "No space left on device");
    assertThat(response.getBody().getType().toString()).endsWith("storage-full");
  }

  @Test
  void anyOtherDiskFailureIs503WithRetryAfter() {
    ResponseEntity<ProblemDetail> response =
        handler.storageFailed(
            new StorageFailureException("not durable", new IOException("Input/output error")));
    assertThat(response.getStatusCode().value()).isEqualTo(503);
    assertThat(response.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
    assertThat(response.getBody().getProperties()).containsEntry("reason", "Input/output error");
  }

  @Test
  void anExhaustedPayloadBudgetIs507() throws IOException {
    try (HammingIndex index =
        HammingIndex.inMemory(IndexOptions.of(64, "m").withMaxPayloadBytes(4))) {
      index.add("a", Code.of(64, 1), new byte[4]);
      PayloadBudgetExceededException refused = null;
      try {
        index.add("b", Code.of(64, 2), new byte[1]);
      } catch (PayloadBudgetExceededException e) {
        refused = e;
      }
      assertThat(refused).isNotNull();
      ProblemDetail problem = handler.payloadBudget(refused);
      assertThat(problem.getStatus()).isEqualTo(507);
      assertThat(problem.getDetail()).contains("payload budget is 4 bytes");
      assertThat(index.size()).isEqualTo(1);
    }
  }
}
