package org.retinanet4j.onednn;

import org.bytedeco.javacpp.BytePointer;

/**
 * Per-thread buffers for the blocked copies that live only during one forward or backward call (the output before
 * its reorder, the reordered weights and gradients): every convolution on the thread shares them, so they cost the
 * largest of each kind, not one per layer.
 */
final class Scratch {
    private static final ThreadLocal<Scratch> THREAD = ThreadLocal.withInitial(Scratch::new);
    private final BytePointer[] buffers = new BytePointer[Slot.values().length];

    /** What a buffer holds; copies that are alive at the same time never share a slot. */
    enum Slot { OUTPUT, WEIGHTS, OUTPUT_GRADIENT, WEIGHTS_BACKWARD, INPUT_GRADIENT, INPUT_BACKWARD,
        OUTPUT_GRADIENT_WEIGHTS, WEIGHT_GRADIENT }

    private Scratch() {
    }

    /** This thread's buffer for {@code slot}, at least {@code bytes} long (grown, never shrunk). */
    static BytePointer buffer(Slot slot, long bytes) {
        return THREAD.get().get(slot, bytes);
    }

    private BytePointer get(Slot slot, long bytes) {
        BytePointer b = buffers[slot.ordinal()];
        if (b == null || b.capacity() < bytes) {
            if (b != null) {
                b.close();
            }
            b = new BytePointer(bytes);
            buffers[slot.ordinal()] = b;
        }
        return b;
    }
}
