package org.retinanet4j.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;

/**
 * Regroups per-image matrices {@code [n, rows, pixels]} into one matrix {@code [rows, n * pixels]} with the images
 * side by side, and back, as block copies of each row's pixels (libnd4j's assign through a permuted view copies
 * element by element and cost more than the larger matrix products it enables).
 */
final class ImageBlocks {

    private ImageBlocks() {
    }

    /** Contiguous C-order arrays in host memory (on a GPU backend the products stay per image). */
    static boolean supported(INDArray... arrays) {
        if (!Nd4j.getEnvironment().isCPU()) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.ordering() != 'c' || !Shape.hasDefaultStridesForShape(a)
                    || (a.offset() + a.length()) * a.dataType().width() > Integer.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }

    /** {@code perImage [n, rows, pixels]} into {@code sideBySide [rows, n * pixels]}. */
    static void sideBySide(INDArray perImage, INDArray sideBySide, long n, long rows, long pixels) {
        copy(perImage, sideBySide, n, rows, pixels, true);
    }

    /** {@code sideBySide [rows, n * pixels]} back into {@code perImage [n, rows, pixels]}. */
    static void perImage(INDArray sideBySide, INDArray perImage, long n, long rows, long pixels) {
        copy(perImage, sideBySide, n, rows, pixels, false);
    }

    private static void copy(INDArray perImage, INDArray sideBySide, long n, long rows, long pixels, boolean toSide) {
        if (perImage.length() != n * rows * pixels || sideBySide.length() != n * rows * pixels
                || perImage.dataType() != sideBySide.dataType()) {
            throw new IllegalArgumentException("image blocks: " + perImage.shapeInfoToString() + " and "
                    + sideBySide.shapeInfoToString() + " do not hold " + n + " x " + rows + " x " + pixels + " values");
        }
        int width = perImage.dataType().width();
        ByteBuffer a = perImage.data().asNio();
        ByteBuffer b = sideBySide.data().asNio();
        long aBase = perImage.offset() * width;
        long bBase = sideBySide.offset() * width;
        int block = (int) (pixels * width);
        for (long i = 0; i < n; i++) {
            for (long r = 0; r < rows; r++) {
                int ai = (int) (aBase + (i * rows + r) * block);
                int bi = (int) (bBase + (r * n + i) * block);
                if (toSide) {
                    b.put(bi, a, ai, block);
                } else {
                    a.put(ai, b, bi, block);
                }
            }
        }
        // the buffers' NIO views do not keep the arrays alive
        Reference.reachabilityFence(perImage);
        Reference.reachabilityFence(sideBySide);
    }
}
