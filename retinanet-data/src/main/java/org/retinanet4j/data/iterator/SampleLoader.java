package org.retinanet4j.data.iterator;

import org.datavec.api.writable.BytesWritable;
import org.datavec.image.transform.FlipImageTransform;
import org.retinanet4j.data.image.ImageResizer;
import org.retinanet4j.data.image.RgbImage;
import org.retinanet4j.data.image.RgbImageDecoder;
import org.retinanet4j.data.records.DetectionRecord;
import org.retinanet4j.data.transform.BoxTransforms;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeInfo;
import org.retinanet4j.preprocess.ResizeRule;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loads the image of one {@link DetectionRecord} for the network: decode to RGB (from the file the record names or
 * the bytes it carries), check the decoded size against the record's when it gives one, mirror if asked, resize by
 * the {@link ResizeRule}, and carry the boxes through the same steps. Boxes left without area (zero-size
 * annotations, or clipped away) are dropped and counted. Thread-safe (one decoder and one flip per thread).
 *
 * <p>The mirror is DataVec's {@link FlipImageTransform} (horizontal, applied to the decoded image before the resize,
 * where torchvision's reference training flips too). Its {@code query} is not used for the boxes: it maps x to
 * {@code w - x - 1}, a pixel-index rule that would shift every box by one pixel; the boxes here are continuous
 * corners (an image of width W spans [0, W]) and flip to {@code W - x}, as torchvision's
 * {@code RandomHorizontalFlip} does ({@link BoxTransforms#flipHorizontal}). The resize stays our own
 * ({@code ImageResizer}): DataVec's {@code ResizeImageTransform} resizes 8-bit pixels, torchvision float ones.
 */
public final class SampleLoader {

    private final ResizeRule resizeRule;
    private final ThreadLocal<RgbImageDecoder> decoders = ThreadLocal.withInitial(RgbImageDecoder::new);
    private final ThreadLocal<FlipImageTransform> flips = ThreadLocal.withInitial(() -> new FlipImageTransform(1));
    private final AtomicLong droppedBoxes = new AtomicLong();

    public SampleLoader(ResizeRule resizeRule) {
        this.resizeRule = resizeRule;
    }

    public ResizeRule resizeRule() {
        return resizeRule;
    }

    /** Boxes dropped so far because they had no area after clipping and resizing. */
    public long droppedBoxes() {
        return droppedBoxes.get();
    }

    /**
     * @param position the record's position, kept in the sample for its metadata
     * @throws IOException naming the image when it is missing, cannot be decoded, or decodes to another size than
     *                     the record says (for example an EXIF-rotated photo whose annotation uses the stored grid)
     */
    public LoadedSample load(DetectionRecord record, int position, boolean flip) throws IOException {
        RgbImage image = decode(record, flip ? flips.get() : null);
        int w = image.width();
        int h = image.height();
        if (record.hasSize() && (w != record.width() || h != record.height())) {
            throw new IOException(record.describeImage() + ": decoded size " + w + "x" + h + " differs from the "
                    + "annotated " + record.width() + "x" + record.height() + " (image id " + record.imageId() + ")");
        }
        float[] boxes = record.boxes().clone();
        if (flip) {
            BoxTransforms.flipHorizontal(boxes, w);
        }
        ResizeInfo info = resizeRule.apply(h, w, PaddingRule.toMultipleOf(1));
        float[] pixels = ImageResizer.resize(image, info.resizedWidth(), info.resizedHeight());
        BoxTransforms.resize(boxes, info);
        int[] labels = record.classes().clone();
        boolean[] ignore = record.ignore().clone();
        int n = labels.length;
        int kept = 0;
        for (int b = 0; b < n; b++) {
            if (BoxTransforms.hasArea(boxes, b)) {
                System.arraycopy(boxes, 4 * b, boxes, 4 * kept, 4);
                labels[kept] = labels[b];
                ignore[kept] = ignore[b];
                kept++;
            }
        }
        if (kept < n) {
            droppedBoxes.addAndGet(n - kept);
            boxes = Arrays.copyOf(boxes, 4 * kept);
            labels = Arrays.copyOf(labels, kept);
            ignore = Arrays.copyOf(ignore, kept);
        }
        return new LoadedSample(position, record.imageId(), h, w, info.resizedHeight(), info.resizedWidth(), flip,
                pixels, boxes, labels, ignore);
    }

    private RgbImage decode(DetectionRecord record, FlipImageTransform flip) throws IOException {
        Path file = record.imagePath();
        if (file != null) {
            return decoders.get().decode(file, flip);
        }
        return decoders.get().decode(((BytesWritable) record.image()).getContent(), record.describeImage(), flip);
    }
}
