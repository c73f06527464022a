package dev.pipit.gallery;

import dev.pipit.encode.EncoderOverloadedException;
import dev.pipit.encode.ImageDecodeException;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.index.Code;
import dev.pipit.index.HammingIndex;
import dev.pipit.index.SearchHit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

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
 */
public final class GallerySearch {

  /** Nearest items a label filter looks among (raised to max-k + 1 if that is larger). */
  public static final int LABEL_CANDIDATES = 10_000;

  /**
   * Candidates one pass of a batch search may hold for all its queries together: a batch with a
   * label filter answers about 13 images per pass over the index, one without (k up to 1,000) up to
   * 131.
   */
  static final int BATCH_CANDIDATES = 131_072;

  /**
   * What to search for.
   *
   * @param k number of hits (1..max-k; ignored by a radius search but still checked)
   * @param radius every item within this Hamming distance instead of the top k, or null
   * @param label only items with this label, or null
   */
  public record Query(int k, Integer radius, String label) {}

  /**
   * One gallery item found.
   *
   * @param id its id
   * @param distance Hamming distance to the query
   * @param label its label, or null
   * @param metadata its metadata
   * @param image sha-256 of its kept original, or null
   */
  public record Hit(
      String id, int distance, String label, Map<String, String> metadata, String image) {}

  /**
   * The answer to one query.
   *
   * @param model the model whose codes were compared
   * @param hits by (distance, insertion order)
   * @param timings milliseconds, in order: decode, queue, encode (image searches), scan
   */
  public record Result(ModelRef model, List<Hit> hits, Map<String, Double> timings) {}

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
   */
  public record BatchResult(
      ModelRef model, List<BatchEntry> entries, Map<String, Double> timings) {}

  private final ActiveModel active;
  private final GalleryCodec codec;
  private final int maxK;
  private final int labelCandidates;
  private final Duration timeout;
  private final GalleryListener listener;

  /**
   * @param maxK largest k, and most hits a radius search may return ({@code pipit.serving.max-k})
   * @param timeout longest a request waits for its encodings
   */
  public GallerySearch(ActiveModel active, GalleryCodec codec, int maxK, Duration timeout) {
    this(active, codec, maxK, timeout, GalleryListener.NONE);
  }

  /** As above, telling {@code listener} of every search, its stages and its hits. */
  public GallerySearch(
      ActiveModel active,
      GalleryCodec codec,
      int maxK,
      Duration timeout,
      GalleryListener listener) {
    this.listener = listener;
    if (maxK < 1 || maxK >= HammingIndex.MAX_K) {
      throw new IllegalArgumentException(
          "max-k must be 1.." + (HammingIndex.MAX_K - 1) + ", got " + maxK);
    }
    this.active = active;
    this.codec = codec;
    this.maxK = maxK;
    this.labelCandidates = Math.max(LABEL_CANDIDATES, maxK + 1);
    this.timeout = timeout;
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
    return observed(GalleryListener.Kind.IMAGE, () -> searchImage(image, query));
  }

  private Result searchImage(byte[] image, Query query) {
    check(query);
    ServingModel model = active.require();
    ImageEncoder.Result encoded = Timeouts.await(model.encoder().encode(image), timeout);
    reportEncoding(encoded, System.nanoTime());
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("decode", millis(encoded.decodeNanos()));
    timings.put("queue", millis(encoded.queueNanos()));
    timings.put("encode", millis(encoded.forwardNanos()));
    List<Hit> hits = search(model.index(), encoded.code(), query, timings);
    return new Result(model.ref(), hits, timings);
  }

  /**
   * The encoding's stages, laid end to end before {@code arrived} (when the request saw the
   * result): decode, then the wait for a batch, then the forward pass.
   */
  private void reportEncoding(ImageEncoder.Result encoded, long arrived) {
    long encodeStart = arrived - encoded.forwardNanos();
    long queueStart = encodeStart - encoded.queueNanos();
    listener.stage(
        GalleryListener.Stage.DECODE, queueStart - encoded.decodeNanos(), encoded.decodeNanos());
    listener.stage(GalleryListener.Stage.QUEUE, queueStart, encoded.queueNanos());
    listener.stage(GalleryListener.Stage.ENCODE, encodeStart, encoded.forwardNanos());
  }

  /** Runs a search, telling the listener how it ended. */
  private <T> T observed(GalleryListener.Kind kind, Supplier<T> search) {
    T result;
    try {
      result = search.get();
    } catch (RuntimeException e) {
      listener.searched(kind, outcome(e));
      throw e;
    }
    listener.searched(kind, GalleryListener.Outcome.OK);
    return result;
  }

  private GalleryListener.Outcome outcome(RuntimeException e) {
    if (e instanceof IllegalArgumentException
        || e instanceof ImageDecodeException
        || e instanceof PayloadTooLargeException) {
      return GalleryListener.Outcome.CLIENT_ERROR;
    }
    if (e instanceof EncoderOverloadedException) {
      return GalleryListener.Outcome.REJECTED;
    }
    if (e instanceof RequestTimeoutException) {
      listener.timedOut();
      return GalleryListener.Outcome.TIMEOUT;
    }
    return GalleryListener.Outcome.ERROR;
  }

  /**
   * Searches the gallery with a code (hex) of the active model.
   *
   * @throws dev.pipit.index.InvalidCodeException if it is not a code of the model's length
   */
  public Result byCode(String hex, Query query) {
    return observed(GalleryListener.Kind.CODE, () -> searchCode(hex, query));
  }

  private Result searchCode(String hex, Query query) {
    check(query);
    ServingModel model = active.require();
    Code code = Code.fromHex(model.ref().bits(), hex);
    Map<String, Double> timings = new LinkedHashMap<>();
    List<Hit> hits = search(model.index(), code, query, timings);
    return new Result(model.ref(), hits, timings);
  }

  /**
   * Encodes every image (they share encoder batches) and answers each with its k nearest items
   * (with {@code label}, if given), many images per pass over the index (see {@link
   * #BATCH_CANDIDATES}). An image that is refused or finds the encoder full fails its own entry;
   * all images together wait at most the request timeout.
   *
   * @throws RequestTimeoutException if the encodings take longer than that (the whole batch fails)
   */
  public BatchResult batch(List<byte[]> images, int k, String label) {
    return observed(GalleryListener.Kind.BATCH, () -> searchBatch(images, k, label));
  }

  private BatchResult searchBatch(List<byte[]> images, int k, String label) {
    Query query = new Query(k, null, label);
    check(query);
    ServingModel model = active.require();
    long start = System.nanoTime();
    List<CompletableFuture<ImageEncoder.Result>> encodings = new ArrayList<>();
    String[] errors = new String[images.size()];
    for (int i = 0; i < images.size(); i++) {
      try {
        encodings.add(model.encoder().encode(images.get(i)));
      } catch (ImageDecodeException | EncoderOverloadedException e) {
        encodings.add(null);
        errors[i] = e.getMessage();
      }
    }
    long deadline = start + timeout.toNanos();
    List<Code> codes = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      Code code = null;
      if (encodings.get(i) != null) {
        try {
          Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
          ImageEncoder.Result encoded = Timeouts.await(encodings.get(i), left);
          reportEncoding(encoded, System.nanoTime());
          code = encoded.code();
        } catch (ImageDecodeException | EncoderOverloadedException e) {
          errors[i] = e.getMessage();
        } catch (RequestTimeoutException e) {
          throw new RequestTimeoutException(timeout); // the request's timeout, not what was left
        }
      }
      codes.add(code);
    }
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("encode", millis(System.nanoTime() - start));
    start = System.nanoTime();
    List<Code> good = codes.stream().filter(Objects::nonNull).toList();
    int wanted = candidates(query);
    // queries share passes over the index, as many per pass as keep the candidate lists bounded
    int perPass = Math.max(1, BATCH_CANDIDATES / wanted);
    List<List<Hit>> answers = new ArrayList<>();
    for (int from = 0; from < good.size(); from += perPass) {
      List<Code> pass = good.subList(from, Math.min(good.size(), from + perPass));
      long scanStart = System.nanoTime();
      List<List<SearchHit>> found = model.index().searchBatch(pass, wanted);
      long hydrateStart = System.nanoTime();
      listener.stage(GalleryListener.Stage.SCAN, scanStart, hydrateStart - scanStart);
      for (List<SearchHit> candidates : found) {
        answers.add(select(candidates, wanted, query));
      }
      listener.stage(GalleryListener.Stage.HYDRATE, hydrateStart, System.nanoTime() - hydrateStart);
    }
    timings.put("scan", millis(System.nanoTime() - start));
    List<BatchEntry> entries = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < images.size(); i++) {
      entries.add(
          codes.get(i) == null
              ? new BatchEntry(i, null, errors[i])
              : new BatchEntry(i, answers.get(next++), null));
    }
    return new BatchResult(model.ref(), entries, timings);
  }

  /** Scans, then hydrates: each stage told to the listener, both as "scan" in {@code timings}. */
  private List<Hit> search(
      HammingIndex index, Code code, Query query, Map<String, Double> timings) {
    int wanted = candidates(query);
    long start = System.nanoTime();
    List<SearchHit> candidates = index.search(code, wanted);
    long hydrateStart = System.nanoTime();
    listener.stage(GalleryListener.Stage.SCAN, start, hydrateStart - start);
    List<Hit> hits = select(candidates, wanted, query);
    long end = System.nanoTime();
    listener.stage(GalleryListener.Stage.HYDRATE, hydrateStart, end - hydrateStart);
    timings.put("scan", millis(end - start)); // the API's scan includes hydrating, as before
    return hits;
  }

  /** How many nearest items to ask the index for: enough to answer exactly, and bounded. */
  private int candidates(Query query) {
    if (query.label() != null) {
      return labelCandidates;
    }
    // one more than may be returned, so that a radius holding too many items is detected
    return query.radius() != null ? maxK + 1 : query.k();
  }

  /**
   * The hits of {@code query} among {@code candidates}, the {@code asked} nearest items by
   * (distance, insertion order); fewer came back only if the gallery holds fewer.
   */
  private List<Hit> select(List<SearchHit> candidates, int asked, Query query) {
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
              payload.image()));
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

  private void check(Query query) {
    if (query.k() < 1 || query.k() > maxK) {
      throw new IllegalArgumentException("k must be 1.." + maxK + ", got " + query.k());
    }
    if (query.radius() != null && query.radius() < 0) {
      throw new IllegalArgumentException("radius must be >= 0, got " + query.radius());
    }
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }
}
