package dev.pipit.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards the admin endpoints (starting training jobs, cancelling them, switching models) with
 * {@code Authorization: Bearer <token>}: 401 without a token, 403 with a wrong one. The comparison
 * takes the same time whatever the token, so it leaks nothing about the right one.
 */
public final class AdminAuthFilter extends OncePerRequestFilter {

  private final byte[] token;

  /**
   * @param token the admin token; a blank one disables the admin endpoints
   */
  public AdminAuthFilter(String token) {
    this.token = token == null ? new byte[0] : token.getBytes(StandardCharsets.UTF_8);
  }

  static boolean isAdmin(HttpServletRequest request) {
    String path = request.getRequestURI();
    return "POST".equals(request.getMethod())
        && (path.equals("/v1/train-jobs")
            || path.matches("/v1/train-jobs/[^/]+/cancel")
            || path.matches("/v1/models/[^/]+/activate"));
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!isAdmin(request)) {
      chain.doFilter(request, response);
      return;
    }
    String header = request.getHeader("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      response.setHeader("WWW-Authenticate", "Bearer");
      problem(
          response,
          HttpStatus.UNAUTHORIZED,
          "unauthorized",
          "This endpoint needs Authorization: Bearer <admin token>");
      return;
    }
    byte[] given = header.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8);
    if (token.length == 0 || !MessageDigest.isEqual(given, token)) {
      problem(response, HttpStatus.FORBIDDEN, "forbidden", "The admin token is not valid");
      return;
    }
    chain.doFilter(request, response);
  }

  private static void problem(
      HttpServletResponse response, HttpStatus status, String type, String detail)
      throws IOException {
    response.setStatus(status.value());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    response
        .getWriter()
        .write(
            "{\"type\":\""
                + ApiExceptionHandler.PROBLEM_BASE
                + type
                + "\",\"title\":\""
                + status.getReasonPhrase()
                + "\",\"status\":"
                + status.value()
                + ",\"detail\":\""
                + detail
                + "\"}");
  }
}
