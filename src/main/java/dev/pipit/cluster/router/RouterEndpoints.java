package dev.pipit.cluster.router;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.util.MultiValueMap;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The router's HTTP API: the searches and writes of a node, mapped onto {@link ClusterRouter}.
 * Functional routes (not a controller), so that only the router process, which asks for them,
 * serves them.
 */
public final class RouterEndpoints {

  private static final List<String> SEARCH_FIELDS =
      List.of("k", "radius", "label", "rescore", "minSequence");

  private final ClusterRouter router;

  public RouterEndpoints(ClusterRouter router) {
    this.router = router;
  }

  public RouterFunction<ServerResponse> routes() {
    return RouterFunctions.route()
        .POST(
            "/v1/search",
            RequestPredicates.contentType(MediaType.APPLICATION_JSON),
            request -> reply(router.searchByCode(request.body(byte[].class), caller(request))))
        .POST(
            "/v1/search",
            RequestPredicates.contentType(MediaType.MULTIPART_FORM_DATA),
            this::searchByImage)
        .POST(
            "/v1/index",
            RequestPredicates.contentType(MediaType.APPLICATION_JSON),
            request -> reply(router.indexCodes(request.body(byte[].class), caller(request))))
        .POST(
            "/v1/index",
            RequestPredicates.contentType(MediaType.MULTIPART_FORM_DATA),
            this::indexImages)
        .DELETE(
            "/v1/index/{id}",
            request -> reply(router.delete(request.pathVariable("id"), caller(request))))
        .POST(
            "/v1/models/{id}/activate",
            request -> reply(router.activate(request.pathVariable("id"), caller(request))))
        .GET("/v1/models/activation", request -> reply(router.activation(caller(request))))
        .POST(
            "/v1/models/activation/cancel",
            request -> reply(router.cancelActivation(caller(request))))
        .build();
  }

  private ServerResponse searchByImage(ServerRequest request) throws IOException, ServletException {
    List<ClusterRouter.FilePart> images = files(request.multipartData(), "image");
    if (images.size() != 1) {
      return reply(ClusterRouter.problem(400, "Bad Request", "exactly one image part, please"));
    }
    Map<String, String> fields = new HashMap<>();
    for (String field : SEARCH_FIELDS) {
      request.param(field).ifPresent(value -> fields.put(field, value));
    }
    return reply(router.searchByImage(images.getFirst(), fields, caller(request)));
  }

  private ServerResponse indexImages(ServerRequest request) throws IOException, ServletException {
    MultiValueMap<String, Part> parts = request.multipartData();
    List<ClusterRouter.FilePart> items = files(parts, "items");
    String itemsJson =
        items.isEmpty()
            ? request.param("items").orElse(null)
            : new String(items.getFirst().content(), StandardCharsets.UTF_8);
    if (itemsJson == null) {
      return reply(ClusterRouter.problem(400, "Bad Request", "the items part is missing"));
    }
    return reply(router.indexImages(files(parts, "image"), itemsJson, caller(request)));
  }

  private static List<ClusterRouter.FilePart> files(MultiValueMap<String, Part> parts, String name)
      throws IOException {
    List<ClusterRouter.FilePart> files = new ArrayList<>();
    for (Part part : parts.getOrDefault(name, List.of())) {
      try (InputStream in = part.getInputStream()) {
        files.add(
            new ClusterRouter.FilePart(
                name, part.getSubmittedFileName(), part.getContentType(), in.readAllBytes()));
      }
    }
    return files;
  }

  private static ClusterRouter.Caller caller(ServerRequest request) {
    return new ClusterRouter.Caller(
        request.servletRequest().getQueryString(),
        request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
  }

  private static ServerResponse reply(NodeAnswer answer) {
    ServerResponse.BodyBuilder response = ServerResponse.status(answer.status());
    if (answer.contentType() != null) {
      response.contentType(MediaType.parseMediaType(answer.contentType()));
    }
    if (answer.retryAfter() != null) {
      response.header(HttpHeaders.RETRY_AFTER, answer.retryAfter());
    }
    return response.body(answer.body());
  }
}
