package dev.pipit.gallery;

import dev.pipit.encode.EncoderOverloadedException;
import dev.pipit.encode.ImageDecodeException;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.index.Code;
import dev.pipit.index.Entry;
import dev.pipit.index.IndexStats;
import dev.pipit.index.UnknownIdException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The served gallery's items: writes by image (encoded, original kept, upserted) or by precomputed
 * code, deletes, and reads of one item or of the whole gallery's size. Each request's items land in
 * the index of one model ({@link ActiveModel#write}). Searches are {@link GallerySearch}'s.
 */
public final class GalleryItems {

  /**
   * An item to index.
   *
   * @param id external id
   * @param image the image bytes, or null when {@code code} is given
   * @param code a precomputed code (hex), or null when {@code image} is given
   * @param label class label, or null
   * @param metadata free-form metadata, or null
   */
  public record Item(
      String id, byte[] image, String code, String label, Map<String, String> metadata) {}

  /**
   * What happened to one item.
   *
   * @param id its id
   * @param indexed whether it is in the gallery now
   * @param reason why not, or null
   * @param image sha-256 of its kept original, or null when none was kept
   */
  public record Outcome(String id, boolean indexed, String reason, String image) {}

  /**
   * The outcome of an index request.
   *
   * @param model the model whose index received the items
   * @param outcomes one per item, in order
   */
  public record Indexed(ModelRef model, List<Outcome> outcomes) {}

  /**
   * One stored item.
   *
   * @param id its id
   * @param code its code in hex
   * @param payload its label, metadata and kept original
   * @param model the model whose index holds it
   */
  public record StoredItem(String id, String code, GalleryPayload payload, ModelRef model) {}

  /**
   * The gallery as a whole.
   *
   * @param model the model serving it
   * @param stats its index's size, bits, memory and last snapshot
   * @param originals number of kept originals
   * @param originalBytes bytes they (and their thumbnails) take
   * @param maxOriginalBytes the cap on those bytes
   */
  public record Overview(
      ModelRef model, IndexStats stats, int originals, long originalBytes, long maxOriginalBytes) {}

  /**
   * One page of the gallery in id order.
   *
   * @param model the model whose index holds the items
   * @param items at most the asked number of items, ids ascending
   * @param next the id to pass as {@code after} for the next page, or null on the last page
   */
  public record Page(ModelRef model, List<StoredItem> items, String next) {}

  private static final int ID_LOCKS = 64;

  /** Images of one request in the encoder at once. */
  private static final int IN_FLIGHT = 32;

  private final ActiveModel active;
  private final ImageStore store;
  private final GalleryCodec codec;
  private final Duration timeout;
  private final ReentrantLock[] idLocks = new ReentrantLock[ID_LOCKS];

  /**
   * @param timeout longest a request waits for its encodings
   */
  public GalleryItems(ActiveModel active, ImageStore store, GalleryCodec codec, Duration timeout) {
    this.active = active;
    this.store = store;
    this.codec = codec;
    this.timeout = timeout;
    for (int i = 0; i < ID_LOCKS; i++) {
      idLocks[i] = new ReentrantLock();
    }
  }

  /**
   * Indexes (upserts) {@code items}. Images are submitted to the encoder ahead of the first await
   * so they share batches; when the encoder queue is full the request waits for its own oldest
   * image instead of failing, so a request may carry more images than the queue holds. A bad image
   * or code fails its own item only.
   *
   * @throws EncoderOverloadedException if the queue is full and this request has nothing in flight
   *     to wait for (nothing was indexed)
   * @throws IllegalArgumentException if an item's label is too long (nothing was indexed)
   * @throws PayloadTooLargeException if an item's metadata is too large (nothing was indexed)
   */
  public Indexed index(List<Item> items) {
    for (Item item : items) {
      codec.checkLimits(item.id(), item.label(), item.metadata()); // before anything is done
    }
    return active.write(
        items.stream().map(Item::id).toList(),
        model -> {
          Outcome[] outcomes = new Outcome[items.size()];
          EncodingWindow<Integer> window =
              new EncodingWindow<>(
                  model.encoder(),
                  IN_FLIGHT,
                  (i, encoding) -> outcomes[i] = store(model, items.get(i), encoding, null),
                  timeout);
          List<Integer> byCode = new ArrayList<>();
          for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            if (item.image() == null) {
              byCode.add(i);
              continue;
            }
            try {
              window.submit(i, item.image());
            } catch (ImageDecodeException e) {
              outcomes[i] = store(model, item, null, e);
            } catch (EncoderOverloadedException e) {
              if (i == 0) {
                throw e; // nothing done yet: the whole request gets 429
              }
              outcomes[i] = store(model, item, null, e);
            }
          }
          storeCodes(model, items, byCode, outcomes);
          window.drain();
          return new Indexed(model.ref(), List.of(outcomes));
        });
  }

  /**
   * Deletes the item {@code id} and releases its original.
   *
   * @throws UnknownIdException if there is none
   */
  public void delete(String id) {
    active.write(
        List.of(id),
        model -> {
          ReentrantLock lock = lockFor(id);
          lock.lock();
          try {
            Optional<Entry> old = model.index().get(id);
            model.index().delete(id);
            old.ifPresent(e -> store.release(codec.read(e.payload()).image()));
            return null;
          } finally {
            lock.unlock();
          }
        });
  }

  /**
   * The item {@code id} of the active model's gallery.
   *
   * @throws UnknownIdException if there is none
   * @throws NoModelServingException if no model serves
   */
  public StoredItem get(String id) {
    ServingModel model = active.require();
    Entry entry =
        model
            .index()
            .get(id)
            .orElseThrow(() -> new UnknownIdException("no gallery item has id " + id));
    return new StoredItem(
        entry.id(), entry.code().toHex(), codec.read(entry.payload()), model.ref());
  }

  /**
   * The items whose ids sort after {@code after} (all when null), at most {@code limit} of them, in
   * id order. Ids are a stable cursor: paging goes on correctly while items are added or deleted.
   * One pass over the index keeping the {@code limit + 1} smallest ids, so a page costs a scan
   * (like a search) and no sorted copy of the gallery is kept.
   *
   * @throws IllegalArgumentException if {@code limit} is not positive
   * @throws NoModelServingException if no model serves
   */
  public Page page(String after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    ServingModel model = active.require();
    TreeMap<String, Entry> smallest = new TreeMap<>();
    model
        .index()
        .forEach(
            entry -> {
              String id = entry.id();
              if (after != null && id.compareTo(after) <= 0) {
                return;
              }
              if (smallest.size() <= limit) {
                smallest.put(id, entry);
              } else if (id.compareTo(smallest.lastKey()) < 0) {
                smallest.pollLastEntry();
                smallest.put(id, entry);
              }
            });
    String next = null;
    if (smallest.size() > limit) {
      smallest.pollLastEntry();
      next = smallest.lastKey();
    }
    List<StoredItem> page =
        smallest.values().stream()
            .map(
                e -> new StoredItem(e.id(), e.code().toHex(), codec.read(e.payload()), model.ref()))
            .toList();
    return new Page(model.ref(), page, next);
  }

  /**
   * Size and memory of the active model's gallery, and the store of kept originals.
   *
   * @throws NoModelServingException if no model serves
   */
  public Overview describe() {
    ServingModel model = active.require();
    return new Overview(
        model.ref(), model.index().stats(), store.originals(), store.usedBytes(), store.maxBytes());
  }

  /** The store of kept originals. */
  public ImageStore store() {
    return store;
  }

  /**
   * Stores the items given by code as one log write and one wait for durability: one at a time,
   * each would wait for its own group commit (a few milliseconds each, most of a bulk import's
   * time). Items whose code does not parse fail alone before the write; if the index still refuses
   * the batch (an id too long, say), the items are stored one by one so each gets its own outcome.
   */
  private void storeCodes(
      ServingModel model, List<Item> items, List<Integer> byCode, Outcome[] outcomes) {
    List<Integer> parsed = new ArrayList<>(byCode.size());
    List<Entry> entries = new ArrayList<>(byCode.size());
    for (int i : byCode) {
      Item item = items.get(i);
      try {
        if (item.code() == null) {
          throw new IllegalArgumentException(
              "item " + item.id() + " has neither an image nor a code");
        }
        Code code = Code.fromHex(model.ref().bits(), item.code());
        GalleryPayload payload = new GalleryPayload(item.label(), item.metadata(), null);
        entries.add(new Entry(item.id(), code, codec.write(payload)));
        parsed.add(i);
      } catch (IllegalArgumentException e) {
        outcomes[i] = new Outcome(item.id(), false, e.getMessage(), null);
      }
    }
    if (entries.size() < 2) {
      parsed.forEach(i -> outcomes[i] = store(model, items.get(i), null, null));
      return;
    }
    List<ReentrantLock> locks =
        entries.stream()
            .map(e -> Math.floorMod(e.id().hashCode(), ID_LOCKS))
            .distinct()
            .sorted() // one order for every writer: no deadlock
            .map(l -> idLocks[l])
            .toList();
    locks.forEach(ReentrantLock::lock);
    try {
      List<String> replacedImages = new ArrayList<>();
      for (Entry entry : entries) {
        model
            .index()
            .get(entry.id())
            .map(old -> codec.read(old.payload()).image())
            .ifPresent(replacedImages::add);
      }
      model.index().upsertAll(entries);
      replacedImages.forEach(store::release);
    } catch (IllegalArgumentException e) {
      parsed.forEach(i -> outcomes[i] = store(model, items.get(i), null, null));
      return;
    } finally {
      locks.reversed().forEach(ReentrantLock::unlock);
    }
    parsed.forEach(i -> outcomes[i] = new Outcome(items.get(i).id(), true, null, null));
  }

  private Outcome store(
      ServingModel model,
      Item item,
      CompletableFuture<ImageEncoder.Result> encoding,
      RuntimeException refusal) {
    try {
      if (refusal != null) {
        throw refusal;
      }
      Code code;
      String image = null;
      if (encoding != null) {
        ImageEncoder.Result result = Timeouts.await(encoding, timeout);
        code = result.code();
        image = store.keep(item.image(), result.image()).orElse(null);
      } else if (item.code() != null) {
        code = Code.fromHex(model.ref().bits(), item.code());
      } else {
        throw new IllegalArgumentException(
            "item " + item.id() + " has neither an image nor a code");
      }
      upsert(model, item.id(), code, new GalleryPayload(item.label(), item.metadata(), image));
      return new Outcome(item.id(), true, null, image);
    } catch (ImageDecodeException
        | IllegalArgumentException
        | EncoderOverloadedException
        | RequestTimeoutException
        | ImageStoreException e) {
      // InvalidCodeException and InvalidRequestException (bad code, oversize id) are
      // IllegalArgumentExceptions; a disk fault keeping one original refuses that item only (not
      // indexed without it: a later model switch could not re-encode it)
      return new Outcome(item.id(), false, e.getMessage(), null);
    }
  }

  private void upsert(ServingModel model, String id, Code code, GalleryPayload payload) {
    ReentrantLock lock = lockFor(id);
    lock.lock();
    try {
      Optional<Entry> old = model.index().get(id);
      try {
        model.index().upsert(id, code, codec.write(payload));
      } catch (RuntimeException e) {
        store.release(payload.image());
        throw e;
      }
      old.ifPresent(e -> store.release(codec.read(e.payload()).image()));
    } finally {
      lock.unlock();
    }
  }

  private ReentrantLock lockFor(String id) {
    return idLocks[Math.floorMod(id.hashCode(), ID_LOCKS)];
  }
}
