package dev.pipit.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.util.List;
import java.util.Map;

/**
 * JSON body of {@code POST /v1/index}, and the {@code items} part of its multipart form (where
 * {@code code} is left out: the images are encoded, in part order).
 *
 * @param items what to add or replace, by id
 */
@Schema(
    example =
        """
        {"items":[{"id":"sku-1","code":"a3f09c11e7d2","label":"Sneaker","metadata":{"shop":"north"}}]}\
        """)
record IndexRequest(@NotEmpty List<@Valid Item> items) {

  /**
   * One gallery item.
   *
   * @param id external id (up to 256 bytes of UTF-8); an existing id is replaced
   * @param code precomputed code in hex (JSON form only)
   * @param label class label, optional
   * @param metadata free-form metadata, optional
   */
  record Item(@NotBlank String id, String code, String label, Map<String, String> metadata) {}
}
