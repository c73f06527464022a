package dev.pipit.api;

import static dev.pipit.api.SearchControllerTests.problem;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.gallery.GalleryItems;
import dev.pipit.gallery.GalleryPayload;
import dev.pipit.gallery.ModelRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

@AutoConfigureMockMvc(addFilters = false)
@WebMvcTest(ItemsController.class)
class ItemsControllerTests {

  static final ModelRef MODEL = SearchControllerTests.MODEL;
  static final String SHA = SearchControllerTests.SHA;

  @Autowired MockMvc mvc;
  @MockitoBean GalleryItems items;

  @Test
  void aPageListsItemsWithImageUrlsAndTheNextCursor() throws Exception {
    when(items.page("a", 2))
        .thenReturn(
            new GalleryItems.Page(
                MODEL,
                List.of(
                    new GalleryItems.StoredItem(
                        "b", "0000000f", new GalleryPayload("cat", Map.of("k", "v"), SHA), MODEL),
                    new GalleryItems.StoredItem(
                        "c", "00000001", new GalleryPayload(null, null, null), MODEL)),
                "c"));
    mvc.perform(get("/v1/items").param("after", "a").param("limit", "2"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model.id").value("m"))
        .andExpect(jsonPath("$.next").value("c"))
        .andExpect(jsonPath("$.items.length()").value(2))
        .andExpect(jsonPath("$.items[0].id").value("b"))
        .andExpect(jsonPath("$.items[0].code").value("0000000f"))
        .andExpect(jsonPath("$.items[0].label").value("cat"))
        .andExpect(jsonPath("$.items[0].metadata.k").value("v"))
        .andExpect(jsonPath("$.items[0].thumbnail").value("/v1/images/" + SHA + "/thumbnail"))
        .andExpect(jsonPath("$.items[1].image").doesNotExist());
  }

  @Test
  void theFirstPageStartsAtTheSmallestIdAndTheLastHasNoNext() throws Exception {
    when(items.page(isNull(), anyInt())).thenReturn(new GalleryItems.Page(MODEL, List.of(), null));
    mvc.perform(get("/v1/items"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.items.length()").value(0))
        .andExpect(jsonPath("$.next").doesNotExist());
    verify(items).page(null, 48);
  }

  @Test
  void aLimitOutOfRangeIsAProblemAndReadsNothing() throws Exception {
    problem(mvc.perform(get("/v1/items").param("limit", "0")), 400, "invalid-argument");
    problem(mvc.perform(get("/v1/items").param("limit", "501")), 400, "invalid-argument");
    problem(mvc.perform(get("/v1/items").param("limit", "ten")), 400, null);
    verify(items, never()).page(isNull(), anyInt());
  }
}
