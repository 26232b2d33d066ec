package org.retinanet4j.data.iterator;

import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.data.image.ResizedImage;
import org.retinanet4j.data.image.RgbImage;
import org.retinanet4j.data.image.RgbImageDecoder;
import org.retinanet4j.data.transform.BoxTransforms;
import org.retinanet4j.preprocess.ResizeInfo;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Loads one image of a {@link DetectionDataset} for the network: decode to RGB, check the decoded size against the
 * dataset's, resize with the model's {@link InputBatcher}, and carry the boxes through the same steps (mirrored
 * when the image is to be flipped; the pixels are mirrored when the batch is written).
 * Boxes left without area (zero-size annotations, or clipped away) are dropped and counted. Thread-safe (one
 * decoder per thread).
 */
public final class SampleLoader {

    private final DetectionDataset dataset;
    private final InputBatcher batcher;
    private final ThreadLocal<RgbImageDecoder> decoders = ThreadLocal.withInitial(RgbImageDecoder::new);
    private final AtomicLong droppedBoxes = new AtomicLong();

    public SampleLoader(DetectionDataset dataset, InputBatcher batcher) {
        this.dataset = dataset;
        this.batcher = batcher;
    }

    public DetectionDataset dataset() {
        return dataset;
    }

    public InputBatcher batcher() {
        return batcher;
    }

    /** Boxes dropped so far because they had no area after clipping and resizing. */
    public long droppedBoxes() {
        return droppedBoxes.get();
    }

    /**
     * @throws IOException naming the file when it is missing, cannot be decoded, or decodes to another size than
     *                     the dataset says (for example an EXIF-rotated photo whose annotation uses the stored grid)
     */
    public LoadedSample load(int imageIndex, boolean flip) throws IOException {
        RgbImage image = decoders.get().decode(dataset.imagePath(imageIndex));
        int w = dataset.width(imageIndex);
        int h = dataset.height(imageIndex);
        if (image.width() != w || image.height() != h) {
            throw new IOException(dataset.imagePath(imageIndex) + ": decoded size " + image.width() + "x"
                    + image.height() + " differs from the dataset's " + w + "x" + h + " (image id "
                    + dataset.imageId(imageIndex) + " in " + dataset.source() + ")");
        }
        ResizedImage resized = batcher.resize(image, flip);
        ResizeInfo info = batcher.resizedSize(h, w);
        float[] boxes = dataset.boxesOf(imageIndex);
        BoxTransforms.resize(boxes, info);
        if (flip) {
            BoxTransforms.flipHorizontal(boxes, info.resizedWidth());
        }
        int[] labels = dataset.classesOf(imageIndex);
        boolean[] ignore = dataset.ignoredOf(imageIndex);
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
            boxes = java.util.Arrays.copyOf(boxes, 4 * kept);
            labels = java.util.Arrays.copyOf(labels, kept);
            ignore = java.util.Arrays.copyOf(ignore, kept);
        }
        return new LoadedSample(imageIndex, dataset.imageId(imageIndex), resized, boxes, labels, ignore);
    }
}
