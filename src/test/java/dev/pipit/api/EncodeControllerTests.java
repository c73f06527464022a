package dev.pipit.api;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.gallery.GallerySearch;
import dev.pipit.gallery.ModelRef;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/** {@code POST /v1/encode}: the model, the code (the signs) and the real values of an image. */
@AutoConfigureMockMvc(addFilters = false)
@WebMvcTest(EncodeController.class)
class EncodeControllerTests {

  @Autowired MockMvc mvc;
  @MockitoBean GallerySearch search;

  @Test
  void anImageComesBackAsItsModelCodeAndValues() throws Exception {
    ModelRef model = new ModelRef("m", "agmh", 8, "fp");
    when(search.encode(any()))
        .thenReturn(
            new GallerySearch.Encoding(model, new float[] {0.5f, -1f, 2f, -0.1f, 0f, -3f, 1f, 1f}));
    mvc.perform(
            multipart("/v1/encode")
                .file(new MockMultipartFile("image", "q.png", "image/png", new byte[] {1})))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.model.fingerprint").value("fp"))
        // bits 0, 2, 4 (0 counts as +), 6, 7 set: 0b11010101
        .andExpect(jsonPath("$.code").value("d5"))
        .andExpect(jsonPath("$.values[1]").value(-1.0))
        .andExpect(jsonPath("$.values.length()").value(8));
  }
}
