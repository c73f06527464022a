package dev.pipit.gallery;

import dev.pipit.gallery.GallerySearch.Hit;
import dev.pipit.gallery.GallerySearch.Query;
import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.SearchHit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a query, asks the index for a bounded list of its nearest candidates and filters them into
 * hits (by label and radius, rescored or not), as {@link GallerySearch} describes.
 */
final class CandidateSelection {

  private final GalleryCodec codec;
  private final int maxK;
  private final int labelCandidates;
  private final int rescoreWindow;
  private final GalleryListener listener;

  CandidateSelection(
      GalleryCodec codec,
      int maxK,
      int labelCandidates,
      int rescoreWindow,
      GalleryListener listener) {
    this.codec = codec;
    this.maxK = maxK;
    this.labelCandidates = labelCandidates;
    this.rescoreWindow = rescoreWindow;
    this.listener = listener;
  }

  /** Refuses, with {@link IllegalArgumentException}, a k or radius out of range. */
  void check(Query query) {
    if (query.k() < 1 || query.k() > maxK) {
      throw new IllegalArgumentException("k must be 1.." + maxK + ", got " + query.k());
    }
    if (query.radius() != null && query.radius() < 0) {
      throw new IllegalArgumentException("radius must be >= 0, got " + query.radius());
    }
  }

  /**
   * Asks the index for the candidates of {@code query} and selects its hits; with {@code values} (a
   * rescored image search) equal distances are ordered by their asymmetric score first.
   */
  List<Hit> search(
      HammingIndex index,
      Code code,
      float[] values,
      Query query,
      Map<String, Double> timings,
      boolean scored) {
    int wanted = candidates(query, values != null);
    long start = System.nanoTime();
    List<SearchHit> candidates = index.search(code, wanted);
    long scanned = System.nanoTime();
    listener.stage(GalleryListener.Stage.SCAN, start, scanned - start);
    timings.put("scan", Timings.millis(scanned - start)); // completed with hydrating below
    if (values != null) {
      candidates = Rescoring.reorder(candidates, values);
      timings.put("rescore", Timings.millis(System.nanoTime() - scanned));
    }
    long hydrateStart = System.nanoTime();
    List<Hit> hits = select(candidates, wanted, query, scored ? values : null);
    long end = System.nanoTime();
    listener.stage(GalleryListener.Stage.HYDRATE, hydrateStart, end - hydrateStart);
    // the API's scan includes hydrating, as before
    timings.put("scan", Timings.millis(scanned - start + end - hydrateStart));
    return hits;
  }

  /**
   * How many nearest items to ask the index for: enough to answer exactly, and bounded. A rescored
   * top-k search takes a window of them, so that the items tied at the k-th distance are there to
   * be ordered (a label or radius search holds every tie among its candidates already).
   */
  int candidates(Query query, boolean rescored) {
    if (query.label() != null) {
      return labelCandidates;
    }
    if (query.radius() != null) {
      // one more than may be returned, so that a radius holding too many items is detected
      return maxK + 1;
    }
    return rescored ? Math.max(query.k(), rescoreWindow) : query.k();
  }

  /**
   * The hits of {@code query} among {@code candidates}, the {@code asked} nearest items by distance
   * (then insertion order, or rescored); fewer came back only if the gallery holds fewer. With
   * {@code scoreAgainst}, each hit carries its asymmetric score against it.
   */
  List<Hit> select(List<SearchHit> candidates, int asked, Query query, float[] scoreAgainst) {
    Integer radius = query.radius();
    List<Hit> hits = new ArrayList<>();
    for (SearchHit candidate : candidates) {
      if (radius != null && candidate.distance() > radius) {
        listener.results(hits.size());
        return hits; // sorted by distance: nothing further is within the radius
      }
      GalleryPayload payload = codec.read(candidate.payload());
      if (query.label() != null && !query.label().equals(payload.label())) {
        continue;
      }
      hits.add(
          new Hit(
              candidate.id(),
              candidate.distance(),
              payload.label(),
              payload.metadata(),
              payload.image(),
              scoreAgainst == null ? null : Rescoring.score(scoreAgainst, candidate.code())));
      if (radius == null && hits.size() == query.k()) {
        listener.results(hits.size());
        return hits;
      }
      if (radius != null && hits.size() > maxK) {
        throw tooBroad(radius);
      }
    }
    if (radius != null && candidates.size() == asked) {
      // every candidate lies within the radius and the gallery has more: the ball reaches further
      throw tooBroad(radius);
    }
    if (query.label() != null && radius == null && candidates.size() == asked) {
      listener.labelWindowExhausted(); // fewer than k matches, and the gallery holds more items
    }
    listener.results(hits.size());
    return hits;
  }

  private SearchTooBroadException tooBroad(int radius) {
    return new SearchTooBroadException(
        "more than "
            + maxK
            + " items may lie within radius "
            + radius
            + " (at most "
            + maxK
            + " hits per search); use a smaller radius or a top-k search");
  }
}
