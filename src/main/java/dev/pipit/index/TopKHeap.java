package dev.pipit.index;

import java.util.Arrays;

/**
 * The k best codes so far, as a binary max-heap of primitive keys {@code (dist << 32) | ordinal}
 * (like Lucene's {@code NeighborQueue}): comparing keys orders by distance, then by ordinal, so
 * ties break by insertion order with no extra work. The top is replaced only by a strictly better
 * key.
 */
final class TopKHeap extends Collector {

  private final long[] heap;
  private int size;

  TopKHeap(View view, int k) {
    super(view, Integer.MAX_VALUE);
    this.heap = new long[k];
  }

  @Override
  void accept(int dist, int ordinal) {
    // Sequential scans call this only with dist < limit, and every earlier key has a smaller
    // ordinal, so
    // the new key is better than the top whenever the heap is full.
    push(key(dist, ordinal));
  }

  /** Offers a candidate that may arrive in any ordinal order (multi-index hashing, merges). */
  void offerAnyOrder(int dist, int ordinal, View view) {
    if (view != null && !view.isLive(ordinal)) {
      return;
    }
    long key = key(dist, ordinal);
    if (size < heap.length || key < heap[0]) {
      push(key);
    }
  }

  /** Whether a candidate would enter the heap now (before checking its liveness). */
  boolean wouldAccept(int dist, int ordinal) {
    return size < heap.length || key(dist, ordinal) < heap[0];
  }

  private void push(long key) {
    if (size < heap.length) {
      heap[size] = key;
      siftUp(size++);
    } else {
      heap[0] = key;
      siftDown(0);
    }
    if (size == heap.length) {
      limit = distOf(heap[0]);
    }
  }

  boolean isFull() {
    return size == heap.length;
  }

  /** Distance of the worst kept key; only meaningful when {@link #isFull()}. */
  int worstDistance() {
    return distOf(heap[0]);
  }

  private void siftUp(int i) {
    long key = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent] >= key) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = key;
  }

  private void siftDown(int i) {
    long key = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      if (child + 1 < size && heap[child + 1] > heap[child]) {
        child++;
      }
      if (key >= heap[child]) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = key;
  }

  @Override
  long[] sortedKeys() {
    long[] keys = Arrays.copyOf(heap, size);
    Arrays.sort(keys);
    return keys;
  }
}
