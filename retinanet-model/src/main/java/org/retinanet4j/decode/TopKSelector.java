package org.retinanet4j.decode;

import java.util.Arrays;

/**
 * Keeps the {@code k} smallest of a stream of {@code long} keys with a primitive max-heap: O(n) for a stream where
 * most keys lose against the current k-th best, no boxing. {@link #sorted()} returns them in ascending order.
 */
final class TopKSelector {

    private final long[] heap;
    private int size;

    TopKSelector(int k) {
        heap = new long[k];
    }

    void reset() {
        size = 0;
    }

    /** Offers a key; kept when fewer than k are held or it is smaller than the largest held one. */
    void offer(long key) {
        if (heap.length == 0) {
            return;
        }
        if (size < heap.length) {
            heap[size] = key;
            siftUp(size++);
        } else if (key < heap[0]) {
            heap[0] = key;
            siftDown(0);
        }
    }

    int size() {
        return size;
    }

    /** The held keys in ascending order (a new array). */
    long[] sorted() {
        long[] out = Arrays.copyOf(heap, size);
        Arrays.sort(out);
        return out;
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
}
