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
 */
@Schema(
    example =
        """
        {"code":"a3f09c11e7d2","k":10,"label":"Sneaker"}\
        """)
record CodeSearchRequest(
    @NotBlank String code, @Min(1) Integer k, @Min(0) Integer radius, String label) {}
