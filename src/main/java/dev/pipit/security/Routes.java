package dev.pipit.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Every route of the API with the role it needs. Patterns are matched the way Spring MVC routes
 * (path patterns over the decoded path segments), so a spelling that reaches a handler is the
 * spelling that is checked; whatever is not listed here or public is denied.
 */
final class Routes {

  /** One route: a method, a Spring MVC path pattern, and the role it needs. */
  record Route(HttpMethod method, String pattern, String role) {}

  static final String READ = "read";
  static final String WRITE = "write";
  static final String ADMIN = "admin";

  static final List<Route> API =
      List.of(
          new Route(HttpMethod.POST, "/v1/search", READ),
          new Route(HttpMethod.POST, "/v1/search/batch", READ),
          new Route(HttpMethod.GET, "/v1/index", READ),
          new Route(HttpMethod.GET, "/v1/index/{id}", READ),
          new Route(HttpMethod.GET, "/v1/items", READ),
          new Route(HttpMethod.GET, "/v1/images/{sha256}", READ),
          new Route(HttpMethod.GET, "/v1/images/{sha256}/thumbnail", READ),
          new Route(HttpMethod.GET, "/v1/models", READ),
          new Route(HttpMethod.GET, "/v1/models/activation", READ),
          new Route(HttpMethod.GET, "/v1/models/{id}", READ),
          new Route(HttpMethod.GET, "/v1/train-jobs", READ),
          new Route(HttpMethod.GET, "/v1/train-jobs/{id}", READ),
          new Route(HttpMethod.GET, "/v1/train-jobs/{id}/events", READ),
          new Route(HttpMethod.GET, "/v1/system", READ),
          new Route(HttpMethod.POST, "/v1/index", WRITE),
          new Route(HttpMethod.DELETE, "/v1/index/{id}", WRITE),
          new Route(HttpMethod.POST, "/v1/train-jobs", ADMIN),
          new Route(HttpMethod.POST, "/v1/train-jobs/{id}/cancel", ADMIN),
          new Route(HttpMethod.POST, "/v1/models/{id}/activate", ADMIN),
          new Route(HttpMethod.POST, "/v1/models/activation/cancel", ADMIN),
          // the cluster router's encoding of a query image on a node: it costs a forward pass
          new Route(HttpMethod.POST, "/v1/encode", ADMIN),
          // Actuator endpoints other than health and prometheus (metrics, info) describe the
          // service in detail: operators only.
          new Route(null, "/actuator/**", ADMIN));

  /** GETs anyone may make: probes, metrics scrape, API docs, the UI's static files. */
  static final List<String> PUBLIC_GET =
      List.of(
          "/",
          "/index.html",
          "/livez",
          "/readyz",
          "/actuator/health",
          "/actuator/health/**",
          "/actuator/prometheus",
          "/v3/api-docs",
          "/v3/api-docs/**",
          "/swagger-ui/**",
          "/swagger-ui.html");

  private static final RequestMatcher SEARCH =
      new OrRequestMatcher(
          PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/v1/search"),
          PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/v1/search/batch"));

  private Routes() {}

  /** The searches are POSTs that read: the audit log leaves them out. */
  static boolean isSearch(HttpServletRequest request) {
    return SEARCH.matches(request);
  }
}
