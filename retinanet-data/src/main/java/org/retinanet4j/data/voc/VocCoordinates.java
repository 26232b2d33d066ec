package org.retinanet4j.data.voc;

/**
 * How Pascal VOC's 1-based pixel indices ({@code xmin..xmax} inclusive) become continuous x1,y1,x2,y2 corners.
 */
public enum VocCoordinates {
    /**
     * Corners as written: x1 = xmin, y1 = ymin, x2 = xmax, y2 = ymax. This is what torchvision's
     * {@code VOCDetection} returns and what common VOC-to-COCO converters write (bbox = [xmin, ymin, xmax - xmin,
     * ymax - ymin], e.g. the COCO form of ../shared/data/voc2012-sample), so both forms of a dataset agree box for
     * box. Boxes sit up to one pixel right/below the pixel edges and are one pixel narrower than the pixel span.
     */
    AS_WRITTEN,
    /**
     * Pixel edges: pixel i (1-based) spans [i-1, i], so x1 = xmin - 1, y1 = ymin - 1, x2 = xmax, y2 = ymax
     * (Detectron's convention); the box covers exactly the annotated pixels.
     */
    PIXEL_EDGES
}
