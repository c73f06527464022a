package dev.pipit.api;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.gallery.GalleryItems;
import dev.pipit.gallery.GallerySearch;
import dev.pipit.gallery.GalleryWrites;
import dev.pipit.gallery.LocalGalleryWrites;
import dev.pipit.gallery.ModelRef;
import dev.pipit.gallery.NoModelServingException;
import dev.pipit.gallery.RequestTimeoutException;
import dev.pipit.gallery.SearchTooBroadException;
import dev.pipit.index.InvalidCodeException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

@AutoConfigureMockMvc(addFilters = false)
@WebMvcTest(SearchController.class)
@Import(SearchControllerTests.Limits.class)
class SearchControllerTests {

  static final ModelRef MODEL = new ModelRef("m", "agmh", 32, "fp");
  static final String SHA = "ab".repeat(32);

  @Autowired MockMvc mvc;
  @MockitoBean GallerySearch search;

  @Test
  void anImageSearchAnswersWithHitsImageUrlsAndTimings() throws Exception {
    when(search.byImage(any(), eq(new GallerySearch.Query(5, null, "cat"))))
        .thenReturn(result(hit("a", 0, SHA), hit("b", 3, null)));
    mvc.perform(
            multipart("/v1/search")
                .file(image(new byte[] {7}))
                .param("k", "5")
                .param("label", "cat"))
        .andExpect(status().isOk())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
        .andExpect(jsonPath("$.model.id").value("m"))
        .andExpect(jsonPath("$.model.bits").value(32))
        .andExpect(jsonPath("$.results[0].id").value("a"))
        .andExpect(jsonPath("$.results[0].distance").value(0))
        .andExpect(jsonPath("$.results[0].label").value("cat"))
        .andExpect(jsonPath("$.results[0].metadata.source").value("test"))
        .andExpect(jsonPath("$.results[0].image").value("/v1/images/" + SHA))
        .andExpect(jsonPath("$.results[0].thumbnail").value("/v1/images/" + SHA + "/thumbnail"))
        .andExpect(jsonPath("$.results[1].id").value("b"))
        .andExpect(jsonPath("$.results[1].image").doesNotExist())
        .andExpect(jsonPath("$.timings.scan").value(0.5))
        .andExpect(jsonPath("$.ordering").value("hamming"));
  }

  @Test
  void rescoreFalseAsksForTheExactHammingOrderAndTheResponseSaysWhichOrderingWasUsed()
      throws Exception {
    when(search.byImage(any(), eq(new GallerySearch.Query(10, null, null, false))))
        .thenReturn(result(hit("a", 0, SHA)));
    when(search.byImage(any(), eq(new GallerySearch.Query(10, null, null))))
        .thenReturn(
            new GallerySearch.Result(
                MODEL,
                List.of(hit("b", 1, SHA)),
                Map.of("scan", 0.5),
                GallerySearch.Ordering.RESCORED,
                "0f0f"));
    mvc.perform(multipart("/v1/search").file(image(new byte[] {7})).param("rescore", "false"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.results[0].id").value("a"))
        .andExpect(jsonPath("$.ordering").value("hamming"));
    mvc.perform(multipart("/v1/search").file(image(new byte[] {7})))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.results[0].id").value("b"))
        .andExpect(jsonPath("$.ordering").value("rescored"))
        .andExpect(jsonPath("$.queryCode").value("0f0f"));
  }

  @Test
  void aCodeSearchDefaultsKToTen() throws Exception {
    when(search.byCode("00ff00ff", new GallerySearch.Query(10, 2, null)))
        .thenReturn(result(hit("a", 1, null)));
    json("{\"code\": \"00ff00ff\", \"radius\": 2}")
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.results[0].id").value("a"))
        .andExpect(jsonPath("$.results[0].distance").value(1));
  }

  @Test
  void kOutOfRangeIsAProblem() throws Exception {
    when(search.byCode(any(), eq(new GallerySearch.Query(5000, null, null))))
        .thenThrow(new IllegalArgumentException("k must be 1..1000, got 5000"));
    problem(json("{\"code\": \"00\", \"k\": 5000}"), 400, "invalid-argument")
        .andExpect(jsonPath("$.detail").value("k must be 1..1000, got 5000"));
    problem(json("{\"code\": \"00\", \"k\": 0}"), 400, null);
    problem(json("{\"code\": \"00\", \"radius\": -1}"), 400, null);
  }

  @Test
  void aRadiusHoldingTooManyItemsIsAProblem() throws Exception {
    when(search.byCode(any(), any()))
        .thenThrow(new SearchTooBroadException("more than 1000 items may lie within radius 32"));
    problem(json("{\"code\": \"00\", \"radius\": 32}"), 400, "search-too-broad");
  }

  @Test
  void badBodiesAndCodesAreProblems() throws Exception {
    problem(json("{\"code\": "), 400, null);
    problem(json("{\"k\": 3}"), 400, null); // no code
    verify(search, never()).byCode(any(), any());
    when(search.byCode(any(), any())).thenThrow(new InvalidCodeException("not hex"));
    problem(json("{\"code\": \"zz\"}"), 400, "invalid-code");
  }

  @Test
  void noModelAndTimeoutsAre503() throws Exception {
    when(search.byCode(any(), any())).thenThrow(new NoModelServingException());
    problem(json("{\"code\": \"00\"}"), 503, "no-model");
    when(search.byImage(any(), any()))
        .thenThrow(new RequestTimeoutException(Duration.ofSeconds(1)));
    problem(mvc.perform(multipart("/v1/search").file(image(new byte[] {1}))), 503, "timeout")
        .andExpect(header().string("Retry-After", "1"));
  }

  @Test
  void aBatchAnswersEveryImageInOrder() throws Exception {
    when(search.batch(any(), eq(3), eq("cat"), isNull()))
        .thenReturn(
            new GallerySearch.BatchResult(
                MODEL,
                List.of(
                    new GallerySearch.BatchEntry(0, List.of(hit("a", 2, SHA)), null),
                    new GallerySearch.BatchEntry(1, null, "the image is truncated")),
                Map.of("encode", 1.0, "scan", 0.1)));
    mvc.perform(
            multipart("/v1/search/batch")
                .file(image(new byte[] {1}))
                .file(image(new byte[] {2}))
                .param("k", "3")
                .param("label", "cat"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model.id").value("m"))
        .andExpect(jsonPath("$.queries[0].index").value(0))
        .andExpect(jsonPath("$.queries[0].results[0].id").value("a"))
        .andExpect(
            jsonPath("$.queries[0].results[0].thumbnail").value("/v1/images/" + SHA + "/thumbnail"))
        .andExpect(jsonPath("$.queries[1].index").value(1))
        .andExpect(jsonPath("$.queries[1].results").doesNotExist())
        .andExpect(jsonPath("$.queries[1].error").value("the image is truncated"))
        .andExpect(jsonPath("$.timings.encode").value(1.0));
  }

  @Test
  void aBatchOverTheItemLimitIsRefusedBeforeSearching() throws Exception {
    problem(
        mvc.perform(
            multipart("/v1/search/batch")
                .file(image(new byte[] {1}))
                .file(image(new byte[] {2}))
                .file(image(new byte[] {3}))),
        400,
        "invalid-argument");
    verify(search, never()).batch(any(), anyInt(), any());
  }

  private ResultActions json(String body) throws Exception {
    return mvc.perform(post("/v1/search").contentType(MediaType.APPLICATION_JSON).content(body));
  }

  static ResultActions problem(ResultActions actions, int status, String type) throws Exception {
    actions
        .andExpect(status().is(status))
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.status").value(status));
    if (type != null) {
      actions.andExpect(jsonPath("$.type").value(ApiExceptionHandler.PROBLEM_BASE + type));
    }
    return actions;
  }

  @Test
  void aCodeSearchWithValuesIsSearchedByThemAndItsHitsCarryTheirScore() throws Exception {
    // values +0.5, -0.25: the signs are bits 0 set, 1 clear, code "01"
    when(search.byValues(any(), eq(new GallerySearch.Query(3, null, null, true))))
        .thenReturn(
            new GallerySearch.Result(
                MODEL,
                List.of(new GallerySearch.Hit("a", 0, null, Map.of(), null, 0.75)),
                new LinkedHashMap<>(),
                GallerySearch.Ordering.RESCORED,
                "01"));
    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\":\"01\",\"k\":3,\"values\":[0.5,-0.25],\"rescore\":true}"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.results[0].score").value(0.75))
        .andExpect(jsonPath("$.ordering").value("rescored"));
    verify(search, never()).byCode(any(), any());
  }

  @Test
  void valuesWhoseSignsAreNotTheCodeAre400() throws Exception {
    mvc.perform(
            post("/v1/search")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"code\":\"02\",\"values\":[0.5,-0.25]}"))
        .andExpect(status().isBadRequest());
    verify(search, never()).byValues(any(), any());
  }

  @Test
  void aCodeSearchWithoutValuesHasNoScores() throws Exception {
    when(search.byCode(eq("01"), any())).thenReturn(result(hit("a", 1, null)));
    mvc.perform(
            post("/v1/search").contentType(MediaType.APPLICATION_JSON).content("{\"code\":\"01\"}"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.results[0].score").doesNotExist());
  }

  private static MockMultipartFile image(byte[] bytes) {
    return new MockMultipartFile("image", "q.png", "image/png", bytes);
  }

  private static GallerySearch.Hit hit(String id, int distance, String image) {
    return new GallerySearch.Hit(id, distance, "cat", Map.of("source", "test"), image);
  }

  private static GallerySearch.Result result(GallerySearch.Hit... hits) {
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("scan", 0.5);
    return new GallerySearch.Result(MODEL, List.of(hits), timings);
  }

  @TestConfiguration
  static class Limits {
    @Bean
    ApiLimits apiLimits() {
      return new ApiLimits(2);
    }

    /** Standalone mode's writes, over the test's mocked items where it has them. */
    @Bean
    GalleryWrites galleryWrites(ObjectProvider<GalleryItems> items) {
      return new LocalGalleryWrites(items.getIfAvailable());
    }
  }
}
