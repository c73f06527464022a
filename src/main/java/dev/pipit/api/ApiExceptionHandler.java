package dev.pipit.api;

import dev.pipit.cluster.node.ReadWaitTimeoutException;
import dev.pipit.cluster.node.StoreUnavailableException;
import dev.pipit.cluster.node.WrongShardException;
import dev.pipit.encode.EncoderOverloadedException;
import dev.pipit.encode.ImageDecodeException;
import dev.pipit.gallery.NoModelServingException;
import dev.pipit.gallery.PayloadTooLargeException;
import dev.pipit.gallery.RequestTimeoutException;
import dev.pipit.gallery.SearchTooBroadException;
import dev.pipit.gallery.SwitchConflictException;
import dev.pipit.gallery.UnknownModelException;
import dev.pipit.index.DuplicateIdException;
import dev.pipit.index.IndexMismatchException;
import dev.pipit.index.InvalidCodeException;
import dev.pipit.index.PayloadBudgetExceededException;
import dev.pipit.index.StorageFailureException;
import dev.pipit.index.UnknownIdException;
import dev.pipit.jobs.JobsBusyException;
import dev.pipit.jobs.ModelNameConflictException;
import dev.pipit.jobs.PathNotAllowedException;
import dev.pipit.jobs.UnknownJobException;
import dev.pipit.model.ModelArtifactException;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every error into an {@code application/problem+json} body (RFC 9457). Spring's own
 * exceptions (malformed JSON, wrong media type, missing parts, unknown paths, oversized uploads)
 * are handled by the base class; domain exceptions from the feature packages are mapped here.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

  static final String PROBLEM_BASE = "https://pipit.dev/problems/";

  /** The MDC key Micrometer Tracing puts the current trace id under, and the problem property. */
  static final String TRACE_ID = "traceId";

  @ExceptionHandler(IllegalArgumentException.class)
  ProblemDetail badArgument(IllegalArgumentException e) {
    return problem(HttpStatus.BAD_REQUEST, "invalid-argument", "Invalid argument", e.getMessage());
  }

  @ExceptionHandler(InvalidCodeException.class)
  ProblemDetail badCode(InvalidCodeException e) {
    return problem(HttpStatus.BAD_REQUEST, "invalid-code", "Invalid code", e.getMessage());
  }

  @ExceptionHandler(UnknownIdException.class)
  ProblemDetail unknownId(UnknownIdException e) {
    return problem(HttpStatus.NOT_FOUND, "unknown-id", "Unknown id", e.getMessage());
  }

  @ExceptionHandler(UnknownModelException.class)
  ProblemDetail unknownModel(UnknownModelException e) {
    return problem(HttpStatus.NOT_FOUND, "unknown-model", "Unknown model", e.getMessage());
  }

  @ExceptionHandler(SearchTooBroadException.class)
  ProblemDetail tooBroad(SearchTooBroadException e) {
    return problem(HttpStatus.BAD_REQUEST, "search-too-broad", "Search too broad", e.getMessage());
  }

  @ExceptionHandler({DuplicateIdException.class, IndexMismatchException.class})
  ProblemDetail conflict(RuntimeException e) {
    return problem(HttpStatus.CONFLICT, "conflict", "Conflict", e.getMessage());
  }

  @ExceptionHandler(ImageDecodeException.class)
  ProblemDetail badImage(ImageDecodeException e) {
    HttpStatus status =
        switch (e.reason()) {
          case TOO_LARGE_BYTES, TOO_MANY_PIXELS, TOO_MANY_SCANS, TOO_MUCH_WORK ->
              HttpStatus.CONTENT_TOO_LARGE;
          case UNKNOWN_FORMAT -> HttpStatus.UNSUPPORTED_MEDIA_TYPE;
          case EMPTY, TRUNCATED, CORRUPT -> HttpStatus.BAD_REQUEST;
        };
    ProblemDetail problem =
        problem(
            status,
            "image-" + e.reason().name().toLowerCase().replace('_', '-'),
            "Image refused",
            e.getMessage());
    problem.setProperty("reason", e.reason().name());
    return problem;
  }

  @ExceptionHandler(EncoderOverloadedException.class)
  ResponseEntity<ProblemDetail> overloaded(EncoderOverloadedException e) {
    long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
    return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
        .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
        .body(problem(HttpStatus.TOO_MANY_REQUESTS, "overloaded", "Encoder busy", e.getMessage()));
  }

  @ExceptionHandler(JobsBusyException.class)
  ResponseEntity<ProblemDetail> jobsBusy(JobsBusyException e) {
    return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
        .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())))
        .body(problem(HttpStatus.TOO_MANY_REQUESTS, "jobs-busy", "Jobs busy", e.getMessage()));
  }

  @ExceptionHandler(ModelNameConflictException.class)
  ProblemDetail modelNameTaken(ModelNameConflictException e) {
    return problem(HttpStatus.CONFLICT, "model-name-taken", "Model name taken", e.getMessage());
  }

  /**
   * A multipart body Tomcat would not parse: too many parts (its {@code max-part-count}) is 413,
   * anything else malformed 400, never a 500.
   */
  @ExceptionHandler(MultipartException.class)
  ProblemDetail badMultipart(MultipartException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getClass().getSimpleName().contains("FileCountLimitExceeded")) {
        return problem(
            HttpStatus.CONTENT_TOO_LARGE,
            "too-many-parts",
            "Too many parts",
            "the multipart body has more parts than the limit (server.tomcat.max-part-count)");
      }
    }
    return problem(
        HttpStatus.BAD_REQUEST, "malformed-multipart", "Malformed multipart body", e.getMessage());
  }

  @ExceptionHandler(PathNotAllowedException.class)
  ProblemDetail pathNotAllowed(PathNotAllowedException e) {
    return problem(HttpStatus.FORBIDDEN, "path-not-allowed", "Path not allowed", e.getMessage());
  }

  @ExceptionHandler(UnknownJobException.class)
  ProblemDetail unknownJob(UnknownJobException e) {
    return problem(HttpStatus.NOT_FOUND, "unknown-job", "Unknown job", e.getMessage());
  }

  @ExceptionHandler(ModelArtifactException.class)
  ProblemDetail badModel(ModelArtifactException e) {
    return problem(HttpStatus.CONFLICT, "invalid-model", "Invalid model artifact", e.getMessage());
  }

  @ExceptionHandler(NoModelServingException.class)
  ProblemDetail noModel(NoModelServingException e) {
    return problem(HttpStatus.SERVICE_UNAVAILABLE, "no-model", "No model", e.getMessage());
  }

  @ExceptionHandler(RequestTimeoutException.class)
  ResponseEntity<ProblemDetail> timedOut(RequestTimeoutException e) {
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, "1")
        .body(
            problem(
                HttpStatus.SERVICE_UNAVAILABLE, "timeout", "Request timed out", e.getMessage()));
  }

  @ExceptionHandler(SwitchConflictException.class)
  ProblemDetail switchConflict(SwitchConflictException e) {
    return problem(
        HttpStatus.CONFLICT, "switch-conflict", "Model switch not started", e.getMessage());
  }

  /**
   * The disk refused the write (nothing changed): 507 when it is full, else 503 with {@code
   * Retry-After} (a failed fsync or I/O error may pass); both carry the disk's {@code reason}.
   */
  @ExceptionHandler(StorageFailureException.class)
  ResponseEntity<ProblemDetail> storageFailed(StorageFailureException e) {
    boolean full = e.reason() != null && e.reason().contains("No space left on device");
    HttpStatus status = full ? HttpStatus.INSUFFICIENT_STORAGE : HttpStatus.SERVICE_UNAVAILABLE;
    ProblemDetail problem =
        problem(
            status, full ? "storage-full" : "storage-failed", "Write not stored", e.getMessage());
    problem.setProperty("reason", e.reason());
    ResponseEntity.BodyBuilder response = ResponseEntity.status(status);
    if (!full) {
      response.header(HttpHeaders.RETRY_AFTER, "5");
    }
    return response.body(problem);
  }

  @ExceptionHandler(PayloadBudgetExceededException.class)
  ProblemDetail payloadBudget(PayloadBudgetExceededException e) {
    ProblemDetail problem =
        problem(
            HttpStatus.INSUFFICIENT_STORAGE,
            "payload-budget",
            "Payload budget exhausted",
            e.getMessage());
    problem.setProperty("reason", "payload budget of " + e.budgetBytes() + " bytes exhausted");
    return problem;
  }

  @ExceptionHandler(PayloadTooLargeException.class)
  ProblemDetail payloadTooLarge(PayloadTooLargeException e) {
    return problem(
        HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Item too large", e.getMessage());
  }

  @ExceptionHandler(WrongShardException.class)
  ProblemDetail wrongShard(WrongShardException e) {
    ProblemDetail problem =
        problem(HttpStatus.CONFLICT, "wrong-shard", "Wrong shard", e.getMessage());
    problem.setProperty("shard", e.shard());
    return problem;
  }

  /** PostgreSQL is unreachable on a cluster node: nothing was written, searches still answer. */
  @ExceptionHandler(StoreUnavailableException.class)
  ResponseEntity<ProblemDetail> storeUnavailable(StoreUnavailableException e) {
    log.warn("Cluster store unavailable: {}", e.getMessage());
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, "5")
        .body(
            problem(
                HttpStatus.SERVICE_UNAVAILABLE,
                "store-unavailable",
                "Store unavailable",
                "The cluster's PostgreSQL could not be reached; nothing was written. Retry"
                    + " later."));
  }

  @ExceptionHandler(ReadWaitTimeoutException.class)
  ProblemDetail readWait(ReadWaitTimeoutException e) {
    return problem(
        HttpStatus.GATEWAY_TIMEOUT, "replication-behind", "Replica behind", e.getMessage());
  }

  /** Anything unforeseen: logged with its stack, answered without internals. */
  @ExceptionHandler(Exception.class)
  ProblemDetail unexpected(Exception e) {
    log.error("Unhandled error", e);
    return problem(
        HttpStatus.INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        "The service failed to answer this request; its log has the details.");
  }

  /**
   * A problem of pipit's own type; a 5xx also carries the request's {@code traceId} (the id its log
   * lines show), so that an operator can find the failed request's log lines and spans.
   */
  static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setType(URI.create(PROBLEM_BASE + type));
    problem.setTitle(title);
    return withTraceId(problem, status);
  }

  /** Spring's own exceptions (a 503 for an async timeout, say) get the trace id too. */
  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception ex,
      @Nullable Object body,
      HttpHeaders headers,
      HttpStatusCode statusCode,
      WebRequest request) {
    // the base class builds the body when it is null, so look at what it returns
    ResponseEntity<Object> response =
        super.handleExceptionInternal(ex, body, headers, statusCode, request);
    if (response != null && response.getBody() instanceof ProblemDetail problem) {
      withTraceId(problem, response.getStatusCode());
    }
    return response;
  }

  private static ProblemDetail withTraceId(ProblemDetail problem, HttpStatusCode status) {
    String traceId = MDC.get(TRACE_ID);
    if (status.is5xxServerError() && traceId != null && !traceId.isEmpty()) {
      problem.setProperty(TRACE_ID, traceId);
    }
    return problem;
  }
}
