package dev.pipit.cluster.node;

import dev.pipit.encode.EncoderOverloadedException;
import dev.pipit.encode.ImageDecodeException;
import dev.pipit.encode.ImageEncoder;
import dev.pipit.gallery.ActiveModel;
import dev.pipit.gallery.GalleryCodec;
import dev.pipit.gallery.GalleryItems;
import dev.pipit.gallery.GalleryWrites;
import dev.pipit.gallery.ImageStoreException;
import dev.pipit.gallery.OriginalsCache;
import dev.pipit.gallery.RequestTimeoutException;
import dev.pipit.gallery.ServingModel;
import dev.pipit.gallery.SharedOriginals;
import dev.pipit.gallery.Timeouts;
import dev.pipit.index.Code;
import dev.pipit.index.UnknownIdException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A cluster node's gallery writes: the request's items are encoded here (images) or parsed (codes),
 * then written to PostgreSQL in one transaction and acknowledged with its sequence once this node's
 * replica has applied it. The node never writes a log of its own: its index is the replica the
 * change log feeds. Ids of another shard refuse the whole request before anything is encoded.
 * Originals of items by image are kept in PostgreSQL ({@link SharedOriginals}), so every replica
 * serves them, and cached in this node's {@link OriginalsCache}.
 */
public final class NodeGalleryWrites implements GalleryWrites {

  private final ClusterNode node;
  private final ActiveModel active;
  private final GalleryCodec codec;
  private final Duration timeout;
  private final OriginalsCache images;
  private final SharedOriginals originals;

  /**
   * @param timeout longest a request waits for its encodings
   * @param images this node's copies of originals (a bounded cache of {@code originals})
   * @param originals where every node finds the originals
   */
  public NodeGalleryWrites(
      ClusterNode node,
      ActiveModel active,
      GalleryCodec codec,
      Duration timeout,
      OriginalsCache images,
      SharedOriginals originals) {
    this.node = node;
    this.active = active;
    this.codec = codec;
    this.timeout = timeout;
    this.images = images;
    this.originals = originals;
  }

  @Override
  public Written index(List<GalleryItems.Item> items) {
    for (GalleryItems.Item item : items) {
      codec.checkLimits(item.id(), item.label(), item.metadata()); // before anything is done
      int shard = node.store().shards().shardOf(item.id());
      if (shard != node.shard()) {
        throw new WrongShardException(item.id(), shard, node.shard());
      }
    }
    ServingModel model = active.require();
    List<CompletableFuture<ImageEncoder.Result>> encodings = new ArrayList<>();
    for (GalleryItems.Item item : items) {
      encodings.add(item.image() == null ? null : submit(model, item.image()));
    }
    GalleryItems.Outcome[] outcomes = new GalleryItems.Outcome[items.size()];
    String[] keptOriginals = new String[items.size()];
    List<ItemWrite> writes = new ArrayList<>();
    List<Integer> written = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      GalleryItems.Item item = items.get(i);
      try {
        Code code;
        String original = null;
        if (encodings.get(i) != null) {
          ImageEncoder.Result encoded = Timeouts.await(encodings.get(i), timeout);
          code = encoded.code();
          // kept as standalone keeps it (none past the local cap), and shared with every node
          original = images.keep(item.image(), encoded.image()).orElse(null);
          if (original != null) {
            originals.put(original, item.image());
          }
        } else if (item.code() != null) {
          code = Code.fromHex(model.ref().bits(), item.code());
        } else {
          throw new IllegalArgumentException(
              "item " + item.id() + " has neither an image nor a code");
        }
        writes.add(
            new ItemWrite(
                item.id(), model.ref().id(), code, item.label(), item.metadata(), original));
        written.add(i);
        keptOriginals[i] = original;
      } catch (ImageDecodeException
          | IllegalArgumentException
          | EncoderOverloadedException
          | RequestTimeoutException
          | ImageStoreException e) {
        outcomes[i] = new GalleryItems.Outcome(item.id(), false, e.getMessage(), null);
      }
    }
    Long sequence = null;
    if (!writes.isEmpty()) {
      sequence = interruptibly(() -> node.upsert(writes));
    }
    for (int i : written) {
      outcomes[i] = new GalleryItems.Outcome(items.get(i).id(), true, null, keptOriginals[i]);
    }
    return new Written(new GalleryItems.Indexed(model.ref(), List.of(outcomes)), sequence);
  }

  @Override
  public Long delete(String id) {
    return interruptibly(() -> node.delete(id))
        .orElseThrow(() -> new UnknownIdException("no gallery item has id " + id));
  }

  @Override
  public void awaitSequence(Long minSequence) {
    if (minSequence == null) {
      return;
    }
    if (minSequence < 0) {
      throw new IllegalArgumentException("minSequence must be at least 0, got " + minSequence);
    }
    interruptibly(
        () -> {
          node.awaitApplied(minSequence);
          return null;
        });
  }

  @Override
  public boolean tiesById() {
    return true;
  }

  /** A refused image fails its own item, as in standalone mode. */
  private static CompletableFuture<ImageEncoder.Result> submit(ServingModel model, byte[] image) {
    try {
      return model.encoder().encode(image);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private interface Blocking<T> {
    T run() throws InterruptedException;
  }

  private static <T> T interruptibly(Blocking<T> call) {
    try {
      return call.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the cluster store", e);
    }
  }
}
