package dev.pipit.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

import dev.pipit.gallery.GalleryItems;
import dev.pipit.gallery.ModelSwitch;
import dev.pipit.jobs.TrainJobs;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * Every route × every kind of caller (anonymous, a read, write and admin key, an unknown key), and
 * every bypass spelling of every protected route: only the right role reaches a handler.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import(HandlerRecorder.class)
@ExtendWith(OutputCaptureExtension.class)
class RouteAuthorizationTests {

  @TempDir static Path dir;

  @Autowired MockMvc mvc;
  @Autowired HandlerRecorder handlers;
  @MockitoSpyBean TrainJobs jobs;
  @MockitoSpyBean GalleryItems items;
  @MockitoSpyBean ModelSwitch switcher;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("pipit.storage.data-dir", () -> dir.resolve("data").toString());
    registry.add("pipit.storage.models-dir", () -> dir.resolve("models").toString());
    registry.add("pipit.engine.device", () -> "cpu");
    TestKeys.register(registry);
  }

  /** A route of the API, a request that reaches its handler, and the role it needs. */
  record Route(HttpMethod method, String path, String role, String json) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  static final List<Route> ROUTES =
      List.of(
          new Route(HttpMethod.GET, "/v1/system", "read", null),
          new Route(HttpMethod.POST, "/v1/search", "read", "{\"code\": \"00\", \"k\": 1}"),
          new Route(HttpMethod.POST, "/v1/search/batch", "read", null),
          new Route(HttpMethod.GET, "/v1/index", "read", null),
          new Route(HttpMethod.GET, "/v1/index/item-1", "read", null),
          new Route(HttpMethod.GET, "/v1/items", "read", null),
          new Route(HttpMethod.GET, "/v1/images/" + "ab".repeat(32), "read", null),
          new Route(HttpMethod.GET, "/v1/images/" + "ab".repeat(32) + "/thumbnail", "read", null),
          new Route(HttpMethod.GET, "/v1/models", "read", null),
          new Route(HttpMethod.GET, "/v1/models/activation", "read", null),
          new Route(HttpMethod.GET, "/v1/models/some-model", "read", null),
          new Route(HttpMethod.GET, "/v1/train-jobs", "read", null),
          new Route(HttpMethod.GET, "/v1/train-jobs/job-1", "read", null),
          new Route(HttpMethod.GET, "/v1/train-jobs/job-1/events", "read", null),
          new Route(HttpMethod.POST, "/v1/index", "write", "{\"items\": []}"),
          new Route(HttpMethod.DELETE, "/v1/index/item-1", "write", null),
          new Route(HttpMethod.POST, "/v1/train-jobs", "admin", "{}"),
          new Route(HttpMethod.POST, "/v1/train-jobs/job-1/cancel", "admin", null),
          new Route(HttpMethod.POST, "/v1/models/some-model/activate", "admin", null),
          new Route(HttpMethod.POST, "/v1/encode", "admin", null));

  enum Caller {
    ANONYMOUS(null, Set.of("read")),
    READ(TestKeys.READ, Set.of("read")),
    WRITE(TestKeys.WRITE, Set.of("read", "write")),
    ADMIN(TestKeys.ADMIN, Set.of("read", "write", "admin")),
    WRONG(TestKeys.WRONG, Set.of());

    final String key;
    final Set<String> allowed;

    Caller(String key, Set<String> allowed) {
      this.key = key;
      this.allowed = allowed;
    }
  }

  @BeforeEach
  void forgetHandlers() {
    handlers.reached.clear();
  }

  static Stream<Arguments> routesByCaller() {
    return ROUTES.stream()
        .flatMap(route -> Stream.of(Caller.values()).map(caller -> Arguments.of(route, caller)));
  }

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("routesByCaller")
  void onlyTheRightRoleReachesTheHandler(Route route, Caller caller) throws Exception {
    MockHttpServletResponse response = send(route.method(), route.path(), route.json(), caller);
    if (caller.allowed.contains(route.role())) {
      assertThat(handlers.reached).as("handler reached").hasSize(1);
      assertThat(response.getStatus()).isNotIn(401, 403);
    } else {
      assertThat(handlers.reached).as("handler reached").isEmpty();
      int expected = caller == Caller.ANONYMOUS ? 401 : 403;
      assertThat(response.getStatus()).isEqualTo(expected);
      assertThat(response.getContentType()).startsWith("application/problem+json");
      assertThat(response.getContentAsString()).contains("\"status\":" + expected);
      if (expected == 401) {
        assertThat(response.getHeader("WWW-Authenticate")).startsWith("Bearer");
      }
    }
  }

  @Test
  void publicEndpointsNeedNoKey() throws Exception {
    for (String path :
        List.of("/livez", "/readyz", "/actuator/health", "/actuator/prometheus", "/v3/api-docs")) {
      assertThat(send(HttpMethod.GET, path, null, Caller.ANONYMOUS).getStatus())
          .as(path)
          .isEqualTo(200);
    }
  }

  @Test
  void theWebPageAndItsAssetsNeedNoKey() throws Exception {
    for (String path :
        List.of(
            "/index.html",
            "/css/pipit.css",
            "/js/app.js",
            "/js/api.js",
            "/webjars/chart.js/dist/chart.umd.min.js")) {
      MockHttpServletResponse response = send(HttpMethod.GET, path, null, Caller.ANONYMOUS);
      assertThat(response.getStatus()).as(path).isEqualTo(200);
      assertThat(response.getHeader("Cache-Control")).as(path).contains("max-age=");
    }
    assertThat(send(HttpMethod.GET, "/index.html", null, Caller.ANONYMOUS).getContentAsString())
        .contains("<title>pipit</title>");
    // "/" is the welcome page: a forward to index.html, itself public
    MockHttpServletResponse root = send(HttpMethod.GET, "/", null, Caller.ANONYMOUS);
    assertThat(root.getStatus()).isEqualTo(200);
    assertThat(root.getForwardedUrl()).isEqualTo("index.html");
    // a write to the page's paths is still refused, and an unknown asset is not found, not served
    assertThat(send(HttpMethod.POST, "/index.html", null, Caller.ANONYMOUS).getStatus())
        .isEqualTo(401);
    assertThat(send(HttpMethod.GET, "/js/absent.js", null, Caller.ANONYMOUS).getStatus())
        .isEqualTo(404);
  }

  @Test
  void otherActuatorEndpointsAndUnlistedPathsAreClosed() throws Exception {
    assertThat(send(HttpMethod.GET, "/actuator/metrics", null, Caller.ANONYMOUS).getStatus())
        .isEqualTo(401);
    assertThat(send(HttpMethod.GET, "/actuator/metrics", null, Caller.WRITE).getStatus())
        .isEqualTo(403);
    assertThat(send(HttpMethod.GET, "/actuator/metrics", null, Caller.ADMIN).getStatus())
        .isEqualTo(200);
    assertThat(send(HttpMethod.GET, "/v1/nothing-here", null, Caller.ANONYMOUS).getStatus())
        .isEqualTo(401);
    assertThat(send(HttpMethod.PUT, "/v1/index/item-1", null, Caller.ADMIN).getStatus())
        .isEqualTo(403);
  }

  /** Spellings of a protected path that a naive string comparison would not recognise. */
  static List<String> bypasses(String path) {
    List<String> spellings = new ArrayList<>();
    spellings.add(path + ";x");
    spellings.add(path.replaceFirst("/([^/]+)$", "/$1;x"));
    spellings.add(path + "/");
    spellings.add(path.toUpperCase(Locale.ROOT));
    spellings.add(path.replace("/v1/", "//v1/"));
    spellings.add(path.replace("/v1/", "/v1//"));
    spellings.add(path.replace("/v1/", "/./v1/"));
    spellings.add(path.replace("/v1/", "/v1/./"));
    spellings.add(path.replace("/v1/", "/v1/x/../"));
    spellings.add(path.replace("-", "%2D"));
    spellings.add(path.replace("/v1/", "/v1%2F"));
    // every letter of every segment percent-encoded, one at a time
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (Character.isLetter(c)) {
        spellings.add(
            path.substring(0, i)
                + "%"
                + Integer.toHexString(c).toUpperCase(Locale.ROOT)
                + path.substring(i + 1));
      }
    }
    return spellings.stream().filter(s -> !s.equals(path)).distinct().toList();
  }

  static Stream<Arguments> bypassAttempts() {
    return ROUTES.stream()
        .filter(route -> !route.role().equals("read"))
        .flatMap(
            route -> {
              Caller insufficient = route.role().equals("admin") ? Caller.WRITE : Caller.READ;
              return bypasses(route.path()).stream()
                  .flatMap(
                      path ->
                          Stream.of(Caller.ANONYMOUS, insufficient)
                              .map(
                                  caller ->
                                      Arguments.of(route.method(), path, route.json(), caller)));
            });
  }

  @ParameterizedTest(name = "{0} {1} as {3}")
  @MethodSource("bypassAttempts")
  void noBypassSpellingReachesAProtectedHandler(
      HttpMethod method, String path, String json, Caller caller) throws Exception {
    MockHttpServletResponse response = send(method, path, json, caller);
    assertThat(response.getStatus()).isIn(400, 401, 403, 404);
    assertThat(response.getContentType()).startsWith("application/problem+json");
    assertThat(handlers.reached).isEmpty();
    verify(jobs, never()).submit(any());
    verify(jobs, never()).cancel(anyString());
    verify(items, never()).index(any());
    verify(items, never()).delete(anyString());
    verify(switcher, never()).start(any(), anyBoolean());
  }

  @Test
  void theFirewallAnswersAProblem() throws Exception {
    MockHttpServletResponse response =
        send(HttpMethod.POST, "/v1/train-jobs;x", "{}", Caller.ADMIN);
    assertThat(response.getStatus()).isEqualTo(400);
    assertThat(response.getContentType()).startsWith("application/problem+json");
    assertThat(response.getContentAsString()).contains("rejected-request");
  }

  @Test
  void writesAreAuditedWithTheKeyNameNeverTheKey(CapturedOutput output) throws Exception {
    send(HttpMethod.DELETE, "/v1/index/audited-item", null, Caller.WRITE);
    send(HttpMethod.POST, "/v1/train-jobs", "{}", Caller.WRONG);
    send(HttpMethod.POST, "/v1/models/m/activate", null, Caller.READ);
    send(HttpMethod.POST, "/v1/train-jobs;x", "{}", Caller.ADMIN);
    assertThat(output.getOut())
        .contains("who=- method=POST path=/v1/train-jobs;x status=400")
        .containsPattern("who=writer method=DELETE path=/v1/index/audited-item status=\\d+ remote=")
        .contains("who=invalid-credential method=POST path=/v1/train-jobs status=403")
        .contains("who=reader method=POST path=/v1/models/m/activate status=403")
        .doesNotContain(TestKeys.WRITE)
        .doesNotContain(TestKeys.WRONG)
        .doesNotContain(TestKeys.READ);
  }

  private MockHttpServletResponse send(HttpMethod method, String path, String json, Caller caller)
      throws Exception {
    MockHttpServletRequestBuilder request = request(method, URI.create(path));
    if (json != null) {
      request.contentType(MediaType.APPLICATION_JSON).content(json);
    } else if (path.endsWith("/batch") || path.equals("/v1/encode")) {
      request.contentType(MediaType.MULTIPART_FORM_DATA);
    }
    if (caller.key != null) {
      request.header("Authorization", "Bearer " + caller.key);
    }
    return mvc.perform(request).andReturn().getResponse();
  }
}
