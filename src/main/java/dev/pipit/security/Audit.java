package dev.pipit.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The audit log of every call that may change something (logger {@code pipit.audit}): who (the
 * key's name or the JWT subject, never the credential), method, path, outcome status and remote
 * address. It wraps authentication and authorization, so attempts with a bad credential or the
 * wrong role are logged with their 401/403 too; who is read once the chain has run.
 */
final class Audit extends OncePerRequestFilter {

  static final Logger AUDIT = LoggerFactory.getLogger("pipit.audit");

  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!audited(request)) {
      chain.doFilter(request, response);
      return;
    }
    int status = 500;
    try {
      chain.doFilter(request, response);
      status = response.getStatus();
    } finally {
      AUDIT.info(
          "who={} method={} path={} status={} remote={}",
          who(request, SecurityContextHolder.getContext().getAuthentication()),
          request.getMethod(),
          request.getRequestURI(),
          status,
          request.getRemoteAddr());
    }
  }

  /** Writes and admin calls: every method but the safe ones, except the searches (reads). */
  static boolean audited(HttpServletRequest request) {
    return !SAFE_METHODS.contains(request.getMethod()) && !Routes.isSearch(request);
  }

  /** A request the firewall turned away before any filter ran. */
  static void rejected(HttpServletRequest request) {
    AUDIT.info(
        "who=- method={} path={} status=400 remote={}",
        request.getMethod(),
        request.getRequestURI(),
        request.getRemoteAddr());
  }

  private static String who(HttpServletRequest request, Authentication authentication) {
    if (authentication == null || authentication instanceof AnonymousAuthenticationToken) {
      // A credential was sent but not accepted: say so, without a byte of it.
      return request.getHeader("Authorization") == null ? "anonymous" : "invalid-credential";
    }
    return authentication.getName();
  }
}
