package dev.pipit.api;

import static dev.pipit.api.SearchControllerTests.problem;
import static org.hamcrest.Matchers.containsString;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.pipit.gallery.ImageStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

@AutoConfigureMockMvc(addFilters = false)
@WebMvcTest(ImagesController.class)
class ImagesControllerTests {

  static final String SHA = SearchControllerTests.SHA;
  static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};

  @TempDir Path dir;
  @Autowired MockMvc mvc;
  @MockitoBean ImageStore store;

  @Test
  void aKeptOriginalIsServedWithItsSniffedTypeAndCachedForever() throws Exception {
    Path file = Files.write(dir.resolve("original"), PNG);
    when(store.original(SHA)).thenReturn(Optional.of(file));
    mvc.perform(get("/v1/images/" + SHA))
        .andExpect(status().isOk())
        .andExpect(content().contentType(MediaType.IMAGE_PNG))
        .andExpect(content().bytes(PNG))
        .andExpect(header().string("Cache-Control", containsString("immutable")));
  }

  @Test
  void aThumbnailIsAJpeg() throws Exception {
    Path file = Files.write(dir.resolve("thumb"), new byte[] {(byte) 0xFF, (byte) 0xD8, 0});
    when(store.thumbnail(SHA)).thenReturn(Optional.of(file));
    mvc.perform(get("/v1/images/" + SHA + "/thumbnail"))
        .andExpect(status().isOk())
        .andExpect(content().contentType(MediaType.IMAGE_JPEG));
  }

  @Test
  void badNamesAndMissingImagesAreProblems() throws Exception {
    when(store.original(SHA)).thenReturn(Optional.empty());
    problem(mvc.perform(get("/v1/images/" + SHA)), 404, "unknown-id");
    problem(mvc.perform(get("/v1/images/not-a-hash")), 400, "invalid-argument");
    problem(mvc.perform(get("/v1/images/" + SHA.toUpperCase() + "/thumbnail")), 400, null);
  }
}
