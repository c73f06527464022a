package dev.pipit.gallery;

import dev.pipit.encode.EncoderOverloadedException;
import dev.pipit.encode.ImageDecodeException;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.gallery.GallerySearch.BatchEntry;
import dev.pipit.gallery.GallerySearch.BatchResult;
import dev.pipit.gallery.GallerySearch.Hit;
import dev.pipit.gallery.GallerySearch.Ordering;
import dev.pipit.gallery.GallerySearch.Query;
import dev.pipit.index.Code;
import dev.pipit.index.SearchHit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A batch of images searched together ({@link GallerySearch#batch(List, int, String, Boolean)}):
 * their encodings share encoder batches and their queries share passes over the index.
 */
final class BatchSearch {

  /**
   * Candidates one pass of a batch search may hold for all its queries together: a batch with a
   * label filter answers about 13 images per pass over the index, one without (k up to 1,000) up to
   * 131.
   */
  static final int BATCH_CANDIDATES = 131_072;

  private final ActiveModel active;
  private final Duration timeout;
  private final boolean rescoreByDefault;
  private final CandidateSelection selection;
  private final SearchObserver observer;
  private final GalleryListener listener;

  BatchSearch(
      ActiveModel active,
      Duration timeout,
      boolean rescoreByDefault,
      CandidateSelection selection,
      SearchObserver observer,
      GalleryListener listener) {
    this.active = active;
    this.timeout = timeout;
    this.rescoreByDefault = rescoreByDefault;
    this.selection = selection;
    this.observer = observer;
    this.listener = listener;
  }

  /** The answer {@link GallerySearch#batch(List, int, String, Boolean)} returns. */
  BatchResult search(List<byte[]> images, int k, String label, Boolean rescore) {
    Query query = new Query(k, null, label, rescore);
    selection.check(query);
    boolean rescored = rescore != null ? rescore : rescoreByDefault;
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
    List<float[]> outputs = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      float[] values = null;
      if (encodings.get(i) != null) {
        try {
          Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
          ImageEncoder.Result encoded = Timeouts.await(encodings.get(i), left);
          observer.reportEncoding(encoded, System.nanoTime());
          values = encoded.values();
        } catch (ImageDecodeException | EncoderOverloadedException e) {
          errors[i] = e.getMessage();
        } catch (RequestTimeoutException e) {
          throw new RequestTimeoutException(timeout); // the request's timeout, not what was left
        }
      }
      outputs.add(values);
    }
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("encode", Timings.millis(System.nanoTime() - start));
    start = System.nanoTime();
    List<float[]> good = outputs.stream().filter(Objects::nonNull).toList();
    int wanted = selection.candidates(query, rescored);
    // queries share passes over the index, as many per pass as keep the candidate lists bounded
    int perPass = Math.max(1, BATCH_CANDIDATES / wanted);
    List<List<Hit>> answers = new ArrayList<>();
    for (int from = 0; from < good.size(); from += perPass) {
      List<float[]> pass = good.subList(from, Math.min(good.size(), from + perPass));
      List<Code> codes = pass.stream().map(Code::fromSigns).toList();
      long scanStart = System.nanoTime();
      List<List<SearchHit>> found = model.index().searchBatch(codes, wanted);
      long hydrateStart = System.nanoTime();
      listener.stage(GalleryListener.Stage.SCAN, scanStart, hydrateStart - scanStart);
      for (int q = 0; q < pass.size(); q++) {
        List<SearchHit> candidates = found.get(q);
        if (rescored) {
          candidates = Rescoring.reorder(candidates, pass.get(q));
        }
        answers.add(selection.select(candidates, wanted, query, null));
      }
      listener.stage(GalleryListener.Stage.HYDRATE, hydrateStart, System.nanoTime() - hydrateStart);
    }
    timings.put("scan", Timings.millis(System.nanoTime() - start));
    List<BatchEntry> entries = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < images.size(); i++) {
      entries.add(
          outputs.get(i) == null
              ? new BatchEntry(i, null, errors[i])
              : new BatchEntry(i, answers.get(next++), null));
    }
    return new BatchResult(
        model.ref(), entries, timings, rescored ? Ordering.RESCORED : Ordering.HAMMING);
  }
}
