package dev.pipit.api;

import dev.pipit.gallery.ImageStore;
import dev.pipit.gallery.ImageTypes;
import dev.pipit.gallery.OriginalsCache;
import dev.pipit.index.UnknownIdException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The kept originals of gallery items and their thumbnails, by content hash (immutable, so cached
 * long).
 */
@RestController
@Tag(name = "images", description = "Kept gallery originals and thumbnails")
class ImagesController {

  private static final CacheControl IMMUTABLE =
      CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable();

  private final ImageStore store;
  private final OriginalsCache cache;

  /**
   * @param cache on a cluster node, the bounded cache of the originals every node finds in
   *     PostgreSQL ({@code store} is its storage); absent in standalone mode
   */
  ImagesController(ImageStore store, ObjectProvider<OriginalsCache> cache) {
    this.store = store;
    this.cache = cache.getIfAvailable();
  }

  @GetMapping("/v1/images/{sha256}")
  @Operation(summary = "A kept original", description = "The bytes as uploaded; 404 if not kept.")
  ResponseEntity<Resource> original(@PathVariable String sha256) {
    if (cache != null) {
      byte[] bytes = cache.original(checked(sha256)).orElseThrow(() -> missing(sha256));
      return ResponseEntity.ok()
          .cacheControl(IMMUTABLE)
          .contentType(
              ImageTypes.sniff(bytes)
                  .map(MediaType::parseMediaType)
                  .orElse(MediaType.APPLICATION_OCTET_STREAM))
          .body(new ByteArrayResource(bytes));
    }
    Path file = store.original(checked(sha256)).orElseThrow(() -> missing(sha256));
    return ResponseEntity.ok()
        .cacheControl(IMMUTABLE)
        .contentType(sniff(file))
        .body(new FileSystemResource(file));
  }

  @GetMapping("/v1/images/{sha256}/thumbnail")
  @Operation(
      summary = "Thumbnail of a kept original",
      description = "JPEG, longest side 160 px; 404 if not kept.")
  ResponseEntity<Resource> thumbnail(@PathVariable String sha256) {
    Resource body;
    if (cache != null) {
      body =
          new ByteArrayResource(
              cache.thumbnail(checked(sha256)).orElseThrow(() -> missing(sha256)));
    } else {
      body =
          new FileSystemResource(
              store.thumbnail(checked(sha256)).orElseThrow(() -> missing(sha256)));
    }
    return ResponseEntity.ok().cacheControl(IMMUTABLE).contentType(MediaType.IMAGE_JPEG).body(body);
  }

  private static String checked(String sha256) {
    if (!ImageStore.isName(sha256)) {
      throw new IllegalArgumentException("image names are 64 lower-case hex digits (sha-256)");
    }
    return sha256;
  }

  private static UnknownIdException missing(String sha256) {
    return new UnknownIdException("no kept image has sha-256 " + sha256);
  }

  private static MediaType sniff(Path file) {
    return ImageTypes.sniff(file)
        .map(MediaType::parseMediaType)
        .or(() -> MediaTypeFactory.getMediaType(file.toString()))
        .orElse(MediaType.APPLICATION_OCTET_STREAM);
  }
}
