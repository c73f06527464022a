package dev.pipit.api;

import dev.pipit.gallery.GallerySearch;
import dev.pipit.gallery.ModelRef;
import dev.pipit.index.Code;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * {@code POST /v1/encode} (admin): an image in, its code and real-valued output under the active
 * model out. The cluster router encodes a query image once on one node and sends the result to
 * every shard, which then rescore exactly as a single node would.
 */
@RestController
@Tag(name = "cluster", description = "What a cluster router asks a node for")
class EncodeController {

  private final GallerySearch search;

  EncodeController(GallerySearch search) {
    this.search = search;
  }

  /**
   * An encoded image.
   *
   * @param model the model that encoded it
   * @param code its code in hex (the signs of {@code values})
   * @param values the network's real-valued output, one per bit
   */
  record EncodeResponse(ModelRef model, String code, float[] values) {}

  @PostMapping(path = "/v1/encode", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(
      summary = "Encode an image (admin)",
      description =
          "The active model's code and real-valued output for the image; a cluster router sends"
              + " both to every shard as a code search with `values`.")
  EncodeResponse encode(
      @Parameter(description = "JPEG, PNG, BMP, GIF or WebP image") @RequestPart("image")
          MultipartFile image)
      throws IOException {
    GallerySearch.Encoding encoding = search.encode(image.getBytes());
    return new EncodeResponse(
        encoding.model(), Code.fromSigns(encoding.values()).toHex(), encoding.values());
  }
}
