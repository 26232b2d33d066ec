package org.retinanet4j.data.iterator;

import org.datavec.api.writable.BytesWritable;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.data.image.ResizedImage;
import org.retinanet4j.data.image.RgbImage;
import org.retinanet4j.data.image.RgbImageDecoder;
import org.retinanet4j.data.records.DetectionRecord;
import org.retinanet4j.data.transform.BoxTransforms;
import org.retinanet4j.preprocess.ResizeInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loads the image of one {@link DetectionRecord} for the network: decode to RGB (from the file the record names or
 * the bytes it carries), check the decoded size against the record's when it gives one, resize with the model's
 * {@link InputBatcher}, and carry the boxes through the same steps (mirrored when the image is to be flipped; the
 * batcher mirrors the pixels when it writes the batch). Boxes left without area (zero-size annotations, or clipped
 * away) are dropped and counted. Thread-safe (one decoder per thread).
 *
 * <p>Boxes are continuous corners (an image of width W spans [0, W]) and flip to {@code W - x}, as torchvision's
 * {@code RandomHorizontalFlip} does ({@link BoxTransforms#flipHorizontal}); DataVec's {@code FlipImageTransform}
 * maps coordinates by the pixel-index rule {@code w - x - 1} and would shift every box by one pixel.
 */
public final class SampleLoader {

    private final InputBatcher batcher;
    private final ThreadLocal<RgbImageDecoder> decoders = ThreadLocal.withInitial(RgbImageDecoder::new);
    private final AtomicLong droppedBoxes = new AtomicLong();

    public SampleLoader(InputBatcher batcher) {
        this.batcher = batcher;
    }

    public InputBatcher batcher() {
        return batcher;
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
        RgbImage image = decode(record);
        int w = image.width();
        int h = image.height();
        if (record.hasSize() && (w != record.width() || h != record.height())) {
            throw new IOException(record.describeImage() + ": decoded size " + w + "x" + h + " differs from the "
                    + "annotated " + record.width() + "x" + record.height() + " (image id " + record.imageId() + ")");
        }
        ResizedImage resized = batcher.resize(image, flip);
        ResizeInfo info = batcher.resizedSize(h, w);
        float[] boxes = record.boxes().clone();
        BoxTransforms.resize(boxes, info);
        if (flip) {
            BoxTransforms.flipHorizontal(boxes, info.resizedWidth());
        }
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
        return new LoadedSample(position, record.imageId(), resized, boxes, labels, ignore);
    }

    private RgbImage decode(DetectionRecord record) throws IOException {
        Path file = record.imagePath();
        if (file != null) {
            return decoders.get().decode(file);
        }
        return decoders.get().decode(((BytesWritable) record.image()).getContent(), record.describeImage());
    }
}
