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
 * @param minSequence on a cluster node: answer only once the node has applied the change log up to
 *     this sequence (a write's {@code sequence}), waiting up to {@code pipit.cluster.read-wait},
 *     else 504; ignored in standalone mode, which sees every write at once
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
    Boolean rescore,
    @Min(0) Long minSequence) {

  /** A search by code alone. */
  CodeSearchRequest(String code, Integer k, Integer radius, String label) {
    this(code, k, radius, label, null, null, null);
  }
}
