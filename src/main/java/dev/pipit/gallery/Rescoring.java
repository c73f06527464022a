package dev.pipit.gallery;

import dev.pipit.index.Code;
import dev.pipit.index.SearchHit;
import java.util.ArrayList;
import java.util.List;

/**
 * Orders equal-distance candidates by ADSH's asymmetric score: the inner product of the query's
 * real-valued network output {@code u} with the candidate's code read as ±1, {@code Σ u_i·b_i}.
 * Hamming distance only counts the bits whose sign differs; the score also weighs each by how sure
 * the network was ({@code |u_i|}), so among candidates at one distance the one that differs where
 * the query was least sure comes first. The primary order stays Hamming distance: results remain
 * sorted by distance and a radius still means what it says.
 */
public final class Rescoring {

  private Rescoring() {}

  /** The asymmetric score {@code Σ u_i·b_i} of {@code values} against {@code code} (b_i = ±1). */
  public static double score(float[] values, Code code) {
    if (values.length != code.bits()) {
      throw new IllegalArgumentException(
          "query has " + values.length + " values, the code " + code.bits() + " bits");
    }
    double score = 0;
    for (int i = 0; i < values.length; i++) {
      score += code.bit(i) ? values[i] : -values[i];
    }
    return score;
  }

  /**
   * {@code hits} (sorted by distance) with each run of equal distance ordered by descending score;
   * equal scores (identical codes) keep their order.
   */
  public static List<SearchHit> reorder(List<SearchHit> hits, float[] values) {
    List<Scored> scored = new ArrayList<>(hits.size());
    for (SearchHit hit : hits) {
      scored.add(new Scored(hit, score(values, hit.code())));
    }
    // List.sort is stable, and the distance key keeps the index's primary order
    scored.sort(
        (a, b) ->
            a.hit.distance() != b.hit.distance()
                ? Integer.compare(a.hit.distance(), b.hit.distance())
                : Double.compare(b.score, a.score));
    List<SearchHit> ordered = new ArrayList<>(hits.size());
    for (Scored s : scored) {
      ordered.add(s.hit);
    }
    return ordered;
  }

  private record Scored(SearchHit hit, double score) {}
}
