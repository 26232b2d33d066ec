package org.retinanet4j.data.image;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeInfo;
import org.retinanet4j.preprocess.ResizeRule;
import org.retinanet4j.spec.RetinaNetSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The one path from decoded images to network input, for training, evaluation and inference alike: resize
 * (torchvision's rule), then per batch mirror (training flips), normalise with the model's mean and standard
 * deviation, and zero-pad at the bottom and right to the padding rule applied to the batch's largest image.
 * {@link #of(RetinaNetSpec)} takes all three from a model's spec. Resizing ({@link #resize}) runs wherever the
 * images are decoded (loader threads), batching ({@link #batch}) where batches are assembled; both are
 * thread-safe.
 */
public final class InputBatcher {

    private final ResizeRule resize;
    private final PaddingRule padding;
    private final ImageNormalization normalization;

    public InputBatcher(ResizeRule resize, PaddingRule padding, ImageNormalization normalization) {
        if (resize == null || padding == null || normalization == null) {
            throw new IllegalArgumentException("InputBatcher: resize, padding and normalization must be set");
        }
        this.resize = resize;
        this.padding = padding;
        this.normalization = normalization;
    }

    /** The input preparation of a model: its resize rule, padding multiple and normalisation. */
    public static InputBatcher of(RetinaNetSpec spec) {
        return new InputBatcher(spec.resizeRule(), spec.paddingRule(), spec.normalization());
    }

    public ResizeRule resizeRule() {
        return resize;
    }

    public PaddingRule paddingRule() {
        return padding;
    }

    public ImageNormalization normalization() {
        return normalization;
    }

    /** Size of an image of {@code height x width} after resizing, before padding. */
    public ResizeInfo resizedSize(int height, int width) {
        return resize.apply(height, width, PaddingRule.toMultipleOf(1));
    }

    /** The image resized, to be mirrored when batched if {@code flip}. */
    public ResizedImage resize(RgbImage image, boolean flip) {
        ResizeInfo info = resizedSize(image.height(), image.width());
        float[] pixels = ImageResizer.resize(image, info.resizedWidth(), info.resizedHeight());
        return new ResizedImage(image.height(), image.width(), info.resizedHeight(), info.resizedWidth(), flip,
                pixels);
    }

    /** One image as a batch of one. */
    public InputBatch single(RgbImage image) {
        return batch(List.of(resize(image, false)));
    }

    /**
     * {@code [N, 3, H, W]}: the images mirrored where asked, normalised and zero-padded to H x W, the padding rule
     * applied to the largest height and width of the batch (torchvision's {@code batch_images}); with each image's
     * geometry.
     */
    public InputBatch batch(List<ResizedImage> images) {
        int maxH = 0;
        int maxW = 0;
        for (ResizedImage r : images) {
            maxH = Math.max(maxH, r.height());
            maxW = Math.max(maxW, r.width());
        }
        int ph = padding.paddedHeight(maxH);
        int pw = padding.paddedWidth(maxW);
        int n = images.size();
        int slot = 3 * ph * pw;
        float[] buffer = new float[n * slot];
        List<ResizeInfo> geometry = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ResizedImage r = images.get(i);
            normalization.writeChw(r.pixels(), r.height(), r.width(), r.flipped(), buffer, i * slot, ph, pw);
            geometry.add(ResizeInfo.of(r.originalHeight(), r.originalWidth(), r.height(), r.width(), ph, pw));
        }
        INDArray array = Nd4j.create(buffer, new long[]{n, 3, ph, pw}, DataType.FLOAT);
        return new InputBatch(array, geometry);
    }
}
