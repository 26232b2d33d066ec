package org.retinanet4j.torchvision.pth;

import java.util.Arrays;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a view (offset, size, stride, in elements) of
 * a storage whose bytes are read after the pickle.
 */
record PickledTensor(StorageRef storage, long offset, long[] size, long[] stride) {

    long numel() {
        long n = 1;
        for (long d : size) {
            n *= d;
        }
        return n;
    }

    /** The largest storage element the view reaches, plus one (0 for an empty tensor). */
    long extent() {
        if (numel() == 0) {
            return 0;
        }
        long last = offset;
        for (int i = 0; i < size.length; i++) {
            last += (size[i] - 1) * stride[i];
        }
        return last + 1;
    }

    /** Whether the view is the C-order (row-major) layout of its elements. */
    boolean contiguous() {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= size[i];
        }
        return true;
    }

    @Override
    public String toString() {
        return storage.dtype() + Arrays.toString(size);
    }
}
