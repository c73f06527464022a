package dev.pipit.gallery;

import dev.pipit.encode.ImageEncoder;
import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Searches the served gallery: by image (encoded with the active model, waiting at most the request
 * timeout), by precomputed code, or by a batch of images sharing passes over the index.
 *
 * <p>Every search asks the index once for a bounded list of nearest candidates and filters it:
 *
 * <ul>
 *   <li>top k, no label: the k nearest;
 *   <li>a label: the first k with that label among the {@link #labelCandidates()} nearest items
 *       (exact whenever the gallery is no larger; a rarer label may return fewer than k);
 *   <li>a radius: every item within it, at most {@link #maxK()} of them; a radius that holds more
 *       (or, with a label, that reaches past the candidates) is refused with {@link
 *       SearchTooBroadException} rather than dumping the gallery.
 * </ul>
 *
 * <p>Image searches rescore by default ({@link Ordering#RESCORED}): the index returns a window of
 * at least {@code rescoreWindow} nearest candidates, and within each distance they are ordered by
 * the asymmetric score of the query's real-valued output ({@link Rescoring}), so the items tied at
 * the k-th distance compete on it instead of on insertion order. Code searches have no real values
 * and keep the exact Hamming order.
 */
public final class GallerySearch {

  /** Nearest items a label filter looks among (raised to max-k + 1 if that is larger). */
  public static final int LABEL_CANDIDATES = 10_000;

  /**
   * What to search for.
   *
   * @param k number of hits (1..max-k; ignored by a radius search but still checked)
   * @param radius every item within this Hamming distance instead of the top k, or null
   * @param label only items with this label, or null
   * @param rescore order equal distances by the asymmetric score (image searches only); false: the
   *     exact Hamming order; null: the service's default
   */
  public record Query(int k, Integer radius, String label, Boolean rescore) {

    /** A query in the service's default ordering. */
    public Query(int k, Integer radius, String label) {
      this(k, radius, label, null);
    }
  }

  /** How the hits of a search are ordered. */
  public enum Ordering {
    /** By (Hamming distance, insertion order): code searches, or rescoring off. */
    HAMMING,
    /** By Hamming distance, then the asymmetric score of the query's real-valued output. */
    RESCORED;

    /** The name responses use ({@code hamming}, {@code rescored}). */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One gallery item found.
   *
   * @param id its id
   * @param distance Hamming distance to the query
   * @param label its label, or null
   * @param metadata its metadata
   * @param image sha-256 of its kept original, or null
   * @param score its asymmetric score against the query's real-valued output ({@link Rescoring}),
   *     only for a search by values (the cluster router orders equal distances across shards by
   *     it); null otherwise
   */
  public record Hit(
      String id,
      int distance,
      String label,
      Map<String, String> metadata,
      String image,
      Double score) {

    /** A hit without a score. */
    public Hit(String id, int distance, String label, Map<String, String> metadata, String image) {
      this(id, distance, label, metadata, image, null);
    }
  }

  /**
   * A query image encoded by the active model.
   *
   * @param model the model that encoded it
   * @param values its real-valued network output (the code is their signs)
   */
  public record Encoding(ModelRef model, float[] values) {}

  /**
   * The answer to one query.
   *
   * @param model the model whose codes were compared
   * @param hits by distance, then by {@code ordering}
   * @param timings milliseconds, in order: decode, queue, encode (image searches), scan, rescore
   *     (when rescored)
   * @param ordering how equal distances were ordered
   * @param queryCode the query's code (hex), so an image search can be repeated or shared as a code
   *     search; null where not known
   */
  public record Result(
      ModelRef model,
      List<Hit> hits,
      Map<String, Double> timings,
      Ordering ordering,
      String queryCode) {

    /** A result in the exact Hamming order. */
    public Result(ModelRef model, List<Hit> hits, Map<String, Double> timings) {
      this(model, hits, timings, Ordering.HAMMING, null);
    }
  }

  /**
   * One image of a batch.
   *
   * @param index its position in the request
   * @param hits its hits, or null when it failed
   * @param error why it failed, or null
   */
  public record BatchEntry(int index, List<Hit> hits, String error) {}

  /**
   * The answer to a batch.
   *
   * @param model the model whose codes were compared
   * @param entries one per image, in request order
   * @param timings milliseconds: encode (the whole batch, decode and queue included), scan
   *     (rescoring included)
   * @param ordering how equal distances were ordered
   */
  public record BatchResult(
      ModelRef model, List<BatchEntry> entries, Map<String, Double> timings, Ordering ordering) {

    /** A batch answered in the exact Hamming order. */
    public BatchResult(ModelRef model, List<BatchEntry> entries, Map<String, Double> timings) {
      this(model, entries, timings, Ordering.HAMMING);
    }
  }

  private final ActiveModel active;
  private final int maxK;
  private final int labelCandidates;
  private final Duration timeout;
  private final SearchObserver observer;
  private final CandidateSelection selection;
  private final BatchSearch batchSearch;
  private final boolean rescore;

  /** Image searches rescored by default, over a window of max-k candidates; no listener. */
  public GallerySearch(ActiveModel active, GalleryCodec codec, int maxK, Duration timeout) {
    this(active, codec, maxK, timeout, true, maxK, GalleryListener.NONE);
  }

  /**
   * @param maxK largest k, and most hits a radius search may return ({@code pipit.serving.max-k})
   * @param timeout longest a request waits for its encodings
   * @param rescore whether image searches rescore unless a query says otherwise ({@code
   *     pipit.serving.rescore})
   * @param rescoreWindow nearest candidates a rescored top-k search orders (at least k; {@code
   *     pipit.serving.rescore-window}): ties at the k-th distance beyond it keep the Hamming order
   * @param listener told of every search, its stages and its hits
   */
  public GallerySearch(
      ActiveModel active,
      GalleryCodec codec,
      int maxK,
      Duration timeout,
      boolean rescore,
      int rescoreWindow,
      GalleryListener listener) {
    this.observer = new SearchObserver(listener);
    if (maxK < 1 || maxK >= HammingIndex.MAX_K) {
      throw new IllegalArgumentException(
          "max-k must be 1.." + (HammingIndex.MAX_K - 1) + ", got " + maxK);
    }
    if (rescoreWindow < 1 || rescoreWindow > HammingIndex.MAX_K) {
      throw new IllegalArgumentException(
          "rescore-window must be 1.." + HammingIndex.MAX_K + ", got " + rescoreWindow);
    }
    this.active = active;
    this.maxK = maxK;
    this.labelCandidates = Math.max(LABEL_CANDIDATES, maxK + 1);
    this.timeout = timeout;
    this.rescore = rescore;
    this.selection = new CandidateSelection(codec, maxK, labelCandidates, rescoreWindow, listener);
    this.batchSearch = new BatchSearch(active, timeout, rescore, selection, observer, listener);
  }

  /** Largest k, and most hits a radius search returns. */
  public int maxK() {
    return maxK;
  }

  /** How many nearest items a label filter looks among. */
  public int labelCandidates() {
    return labelCandidates;
  }

  /**
   * Encodes {@code image} with the active model and searches its gallery.
   *
   * @throws IllegalArgumentException if the query is out of range (nothing is encoded)
   * @throws RequestTimeoutException if the encoding takes longer than the request timeout
   */
  public Result byImage(byte[] image, Query query) {
    return observer.observed(GalleryListener.Kind.IMAGE, () -> searchImage(image, query));
  }

  private Result searchImage(byte[] image, Query query) {
    selection.check(query);
    ServingModel model = active.require();
    ImageEncoder.Result encoded = Timeouts.await(model.encoder().encode(image), timeout);
    observer.reportEncoding(encoded, System.nanoTime());
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("decode", Timings.millis(encoded.decodeNanos()));
    timings.put("queue", Timings.millis(encoded.queueNanos()));
    timings.put("encode", Timings.millis(encoded.forwardNanos()));
    return answer(model, encoded.values(), query, timings);
  }

  /**
   * Encodes {@code image} with the active model, waiting at most the request timeout, and searches
   * nothing: what a cluster router asks a node for before it fans a search out by values.
   */
  public Encoding encode(byte[] image) {
    ServingModel model = active.require();
    ImageEncoder.Result encoded = Timeouts.await(model.encoder().encode(image), timeout);
    observer.reportEncoding(encoded, System.nanoTime());
    return new Encoding(model.ref(), encoded.values());
  }

  /**
   * Searches the gallery with a query's real-valued network output from the active model (an image
   * encoded beforehand, as {@link ImageEncoder.Result#values()}); its code is the signs. Rescored
   * hits carry their {@link Hit#score()}, so that lists from several shards merge in this order.
   *
   * @throws dev.pipit.index.InvalidCodeException if it has not one value per bit of the model
   */
  public Result byValues(float[] values, Query query) {
    selection.check(query);
    return answer(active.require(), values, query, new LinkedHashMap<>(), true);
  }

  private Result answer(
      ServingModel model, float[] values, Query query, Map<String, Double> timings) {
    return answer(model, values, query, timings, false);
  }

  private Result answer(
      ServingModel model,
      float[] values,
      Query query,
      Map<String, Double> timings,
      boolean scored) {
    boolean rescored = query.rescore() != null ? query.rescore() : rescore;
    Code code = Code.fromSigns(values);
    List<Hit> hits =
        selection.search(
            model.index(), code, rescored ? values : null, query, timings, scored && rescored);
    return new Result(
        model.ref(), hits, timings, rescored ? Ordering.RESCORED : Ordering.HAMMING, code.toHex());
  }

  /**
   * Searches the gallery with a code (hex) of the active model.
   *
   * @throws dev.pipit.index.InvalidCodeException if it is not a code of the model's length
   */
  public Result byCode(String hex, Query query) {
    return observer.observed(GalleryListener.Kind.CODE, () -> searchCode(hex, query));
  }

  /**
   * A code search whose equal distances are ordered by id, not by insertion: how a cluster node
   * answers, so that the router's merge of every shard's top k ({@code ORDER BY distance, id}) is
   * exact. The first k + 1 hits show whether a tie crosses the k-th place; only then one radius
   * search to that distance finds every item of the tie. When more than max-k items lie within it,
   * the tie is ordered among the hits found (not exact: documented in docs/scaling.md).
   */
  public Result byCodeTiesById(String hex, Query query) {
    if (query.radius() != null) {
      return tiesById(byCode(hex, query), query.k(), false);
    }
    int k = query.k();
    Result top = byCode(hex, new Query(Math.min(k + 1, maxK), null, query.label()));
    List<Hit> hits = top.hits();
    if (hits.size() <= k) {
      return tiesById(top, k, true); // every matching item is here
    }
    int edge = hits.get(k - 1).distance();
    if (hits.get(k).distance() > edge) {
      return tiesById(top, k, true);
    }
    Result tie;
    try {
      tie = byCode(hex, new Query(k, edge, query.label()));
    } catch (SearchTooBroadException e) {
      return tiesById(top, k, true);
    }
    if (!tie.model().equals(top.model())) {
      return byCodeTiesById(hex, query); // a model switch came between: never mix two models
    }
    return tiesById(tie, k, true);
  }

  private static Result tiesById(Result result, int k, boolean limit) {
    List<Hit> sorted =
        result.hits().stream()
            .sorted(Comparator.comparingInt(Hit::distance).thenComparing(Hit::id))
            .limit(limit ? k : Long.MAX_VALUE)
            .toList();
    return new Result(
        result.model(), sorted, result.timings(), result.ordering(), result.queryCode());
  }

  private Result searchCode(String hex, Query query) {
    selection.check(query);
    ServingModel model = active.require();
    Code code = Code.fromHex(model.ref().bits(), hex);
    Map<String, Double> timings = new LinkedHashMap<>();
    List<Hit> hits = selection.search(model.index(), code, null, query, timings, false);
    return new Result(model.ref(), hits, timings, Ordering.HAMMING, code.toHex());
  }

  /**
   * Encodes every image (they share encoder batches) and answers each with its k nearest items
   * (with {@code label}, if given), many images per pass over the index (see {@link
   * BatchSearch#BATCH_CANDIDATES}). An image that is refused or finds the encoder full fails its
   * own entry; all images together wait at most the request timeout.
   *
   * @throws RequestTimeoutException if the encodings take longer than that (the whole batch fails)
   */
  public BatchResult batch(List<byte[]> images, int k, String label) {
    return batch(images, k, label, null);
  }

  /**
   * {@link #batch(List, int, String)}, rescored or not as {@code rescore} says (null: the service's
   * default).
   */
  public BatchResult batch(List<byte[]> images, int k, String label, Boolean rescore) {
    return observer.observed(
        GalleryListener.Kind.BATCH, () -> batchSearch.search(images, k, label, rescore));
  }
}
