package dev.pipit.api;

import static dev.pipit.api.SearchControllerTests.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.gallery.GalleryItems;
import dev.pipit.gallery.GalleryPayload;
import dev.pipit.gallery.ModelRef;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.IndexOptions;
import dev.pipit.index.UnknownIdException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

@AutoConfigureMockMvc(addFilters = false)
@WebMvcTest(IndexController.class)
@Import(SearchControllerTests.Limits.class) // at most 2 items per request
class IndexControllerTests {

  static final ModelRef MODEL = SearchControllerTests.MODEL;
  static final String SHA = SearchControllerTests.SHA;

  @Autowired MockMvc mvc;
  @MockitoBean GalleryItems items;

  @Test
  void codesAreIndexedAndEachItemReported() throws Exception {
    when(items.index(any()))
        .thenReturn(
            new GalleryItems.Indexed(
                MODEL,
                List.of(
                    new GalleryItems.Outcome("a", true, null, null),
                    new GalleryItems.Outcome("b", false, "not a 32-bit code", null))));
    json("""
    {"items": [{"id": "a", "code": "00ff00ff", "label": "cat", "metadata": {"k": "v"}},
               {"id": "b", "code": "00"}]}\
    """)
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model.id").value("m"))
        .andExpect(jsonPath("$.indexed").value(1))
        .andExpect(jsonPath("$.failed").value(1))
        .andExpect(jsonPath("$.items[0].status").value("indexed"))
        .andExpect(jsonPath("$.items[1].status").value("failed"))
        .andExpect(jsonPath("$.items[1].reason").value("not a 32-bit code"));
    @SuppressWarnings("unchecked")
    ArgumentCaptor<List<GalleryItems.Item>> batch = ArgumentCaptor.forClass(List.class);
    verify(items).index(batch.capture());
    GalleryItems.Item a = batch.getValue().get(0);
    assertThat(a.id()).isEqualTo("a");
    assertThat(a.code()).isEqualTo("00ff00ff");
    assertThat(a.image()).isNull();
    assertThat(a.metadata()).isEqualTo(Map.of("k", "v"));
  }

  @Test
  void imagesAreIndexedUnderTheirItemsEntry() throws Exception {
    when(items.index(any()))
        .thenReturn(
            new GalleryItems.Indexed(
                MODEL, List.of(new GalleryItems.Outcome("a", true, null, SHA))));
    mvc.perform(
            multipart("/v1/index")
                .file(new MockMultipartFile("image", "a.png", "image/png", new byte[] {9}))
                .file(items("{\"items\": [{\"id\": \"a\", \"label\": \"cat\"}]}")))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.items[0].image").value("/v1/images/" + SHA));
    @SuppressWarnings("unchecked")
    ArgumentCaptor<List<GalleryItems.Item>> batch = ArgumentCaptor.forClass(List.class);
    verify(items).index(batch.capture());
    assertThat(batch.getValue().get(0).image()).containsExactly(9);
    assertThat(batch.getValue().get(0).label()).isEqualTo("cat");
  }

  @Test
  void badRequestsAreProblemsAndIndexNothing() throws Exception {
    problem(json("{\"items\": ["), 400, null);
    problem(json("{\"items\": []}"), 400, null);
    problem(json("{\"items\": [{\"code\": \"00\"}]}"), 400, null); // no id
    problem(
        json("{\"items\": [{\"id\": \"a\"}, {\"id\": \"b\"}, {\"id\": \"c\"}]}"),
        400,
        "invalid-argument");
    MockMultipartFile image = new MockMultipartFile("image", "a.png", "image/png", new byte[] {1});
    problem(
        mvc.perform(multipart("/v1/index").file(image).file(items("{nope"))),
        400,
        "invalid-argument");
    problem(
        mvc.perform(multipart("/v1/index").file(image).file(items("{\"items\": []}"))),
        400,
        "invalid-argument");
    problem(
        mvc.perform(
            multipart("/v1/index").file(image).file(items("{\"items\": [{\"label\": \"x\"}]}"))),
        400,
        "invalid-argument");
    verify(items, never()).index(any());
  }

  @Test
  void oneItemIsReadWithItsCodeLabelAndImageUrls() throws Exception {
    when(items.get("a"))
        .thenReturn(
            new GalleryItems.StoredItem(
                "a", "00ff00ff", new GalleryPayload(null, Map.of("k", "v"), SHA), MODEL));
    when(items.get("nope")).thenThrow(new UnknownIdException("no gallery item has id nope"));
    mvc.perform(get("/v1/index/a"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.id").value("a"))
        .andExpect(jsonPath("$.code").value("00ff00ff"))
        .andExpect(jsonPath("$.label").value(""))
        .andExpect(jsonPath("$.metadata.k").value("v"))
        .andExpect(jsonPath("$.image").value("/v1/images/" + SHA))
        .andExpect(jsonPath("$.thumbnail").value("/v1/images/" + SHA + "/thumbnail"))
        .andExpect(jsonPath("$.model.fingerprint").value("fp"));
    problem(mvc.perform(get("/v1/index/nope")), 404, "unknown-id");
  }

  @Test
  void deletesAnswer204Or404() throws Exception {
    mvc.perform(delete("/v1/index/a")).andExpect(status().isNoContent());
    verify(items).delete("a");
    doThrow(new UnknownIdException("no gallery item has id b")).when(items).delete("b");
    problem(mvc.perform(delete("/v1/index/b")), 404, "unknown-id");
  }

  @Test
  void theIndexIsDescribed() throws Exception {
    try (HammingIndex index = HammingIndex.inMemory(IndexOptions.of(32, "fp"))) {
      when(items.describe())
          .thenReturn(new GalleryItems.Overview(MODEL, index.stats(), 3, 4096, 10_000));
      mvc.perform(get("/v1/index"))
          .andExpect(status().isOk())
          .andExpect(jsonPath("$.model.id").value("m"))
          .andExpect(jsonPath("$.size").value(0))
          .andExpect(jsonPath("$.bits").value(32))
          .andExpect(jsonPath("$.stats.search.kernel").isString())
          .andExpect(jsonPath("$.originals.count").value(3))
          .andExpect(jsonPath("$.originals.bytes").value(4096))
          .andExpect(jsonPath("$.originals.maxBytes").value(10_000));
    }
  }

  private ResultActions json(String body) throws Exception {
    return mvc.perform(post("/v1/index").contentType(MediaType.APPLICATION_JSON).content(body));
  }

  private static MockMultipartFile items(String json) {
    return new MockMultipartFile("items", "", "application/json", json.getBytes());
  }
}
