package dev.pipit.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * The answers of the security layer, all {@code application/problem+json} like the rest of the API:
 * 400 for a request the firewall rejects, 401 (with {@code WWW-Authenticate: Bearer}) for a missing
 * or invalid JWT, 403 for an unknown API key or a credential without the role.
 */
public final class Problems
    implements AuthenticationEntryPoint, AccessDeniedHandler, RequestRejectedHandler {

  /** Same base as the API's other problem types. */
  static final String PROBLEM_BASE = "https://pipit.dev/problems/";

  private static final Logger log = LoggerFactory.getLogger(Problems.class);

  private final AuthFailureListener listener;

  /** Answers without telling anyone. */
  public Problems() {
    this(AuthFailureListener.NONE);
  }

  /** Answers, telling {@code listener} why each credential was refused. */
  public Problems(AuthFailureListener listener) {
    this.listener = listener;
  }

  @Override
  public void commence(
      HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
      throws IOException {
    if (failure instanceof UnknownApiKeyException) {
      listener.failed(AuthFailureListener.Reason.INVALID);
      write(request, response, HttpStatus.FORBIDDEN, "forbidden", failure.getMessage());
      return;
    }
    if (failure instanceof InvalidBearerTokenException) {
      listener.failed(
          expired(failure)
              ? AuthFailureListener.Reason.EXPIRED
              : AuthFailureListener.Reason.INVALID);
      response.setHeader(
          "WWW-Authenticate",
          "Bearer error=\"invalid_token\", error_description=\"The bearer token is not valid\"");
      write(
          request,
          response,
          HttpStatus.UNAUTHORIZED,
          "unauthorized",
          "The bearer token is not valid (signature, issuer or expiry)");
      return;
    }
    listener.failed(AuthFailureListener.Reason.MISSING);
    response.setHeader("WWW-Authenticate", "Bearer");
    write(
        request,
        response,
        HttpStatus.UNAUTHORIZED,
        "unauthorized",
        "This endpoint needs Authorization: Bearer <API key or token>");
  }

  @Override
  public void handle(
      HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
      throws IOException {
    listener.failed(AuthFailureListener.Reason.FORBIDDEN);
    write(
        request,
        response,
        HttpStatus.FORBIDDEN,
        "forbidden",
        "The credential does not carry the role this endpoint needs");
  }

  /** Spring's JWT validator says "Jwt expired at ..." for a token past its {@code exp}. */
  private static boolean expired(AuthenticationException failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("expired")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void handle(
      HttpServletRequest request, HttpServletResponse response, RequestRejectedException rejected)
      throws IOException {
    log.debug("rejected request: {}", rejected.getMessage());
    Audit.rejected(request);
    write(
        request,
        response,
        HttpStatus.BAD_REQUEST,
        "rejected-request",
        "The request URL is not in normalized form (';', encoded '/' or '.', '//', '..')");
  }

  private static void write(
      HttpServletRequest request,
      HttpServletResponse response,
      HttpStatus status,
      String type,
      String detail)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.resetBuffer();
    response.setStatus(status.value());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    response.setCharacterEncoding("UTF-8");
    response
        .getWriter()
        .write(
            "{\"type\":\""
                + PROBLEM_BASE
                + type
                + "\",\"title\":\""
                + status.getReasonPhrase()
                + "\",\"status\":"
                + status.value()
                + ",\"detail\":\""
                + json(detail)
                + "\",\"instance\":\""
                + json(request.getRequestURI())
                + "\"}");
  }

  /** Escapes a string for a JSON string literal (the request URI comes from the client). */
  static String json(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '<' || c == '>') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
