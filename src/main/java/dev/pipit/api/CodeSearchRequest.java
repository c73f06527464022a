package dev.pipit.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * JSON body of {@code POST /v1/search} for a precomputed code.
 *
 * @param code the query code in hex (see the Code format: little-endian bytes of the packed words)
 * @param k number of results (default 10)
 * @param radius if set, every item within this Hamming distance instead of the top k
 * @param label if set, only items with this label
 * @param values the query's real-valued network output (one per bit; {@code POST /v1/encode}), if
 *     known: equal distances are then ordered by it as an image search orders them ({@code rescore}
 *     says whether), and each hit carries its score. {@code code} must be their signs.
 * @param rescore with {@code values}: whether to order equal distances by them (default: {@code
 *     pipit.serving.rescore})
 */
@Schema(
    example =
        """
        {"code":"a3f09c11e7d2","k":10,"label":"Sneaker"}\
        """)
record CodeSearchRequest(
    @NotBlank String code,
    @Min(1) Integer k,
    @Min(0) Integer radius,
    String label,
    float[] values,
    Boolean rescore) {

  /** A search by code alone. */
  CodeSearchRequest(String code, Integer k, Integer radius, String label) {
    this(code, k, radius, label, null, null);
  }
}
