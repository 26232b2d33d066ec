package org.retinanet4j.data.iterator;

import org.retinanet4j.preprocess.ResizeInfo;

import java.io.Serializable;

/**
 * What evaluation needs to map one example of a batch back to its image: the dataset position and id, whether it
 * was mirrored, and the resize/padding geometry. Attached to every {@code MultiDataSet} as example metadata.
 */
public record SampleMetadata(int imageIndex, long imageId, boolean flipped, int originalHeight, int originalWidth,
                             int resizedHeight, int resizedWidth, int paddedHeight, int paddedWidth)
        implements Serializable {

    /** The geometry as the model module's {@link ResizeInfo}. */
    public ResizeInfo resizeInfo() {
        return ResizeInfo.of(originalHeight, originalWidth, resizedHeight, resizedWidth, paddedHeight, paddedWidth);
    }
}
