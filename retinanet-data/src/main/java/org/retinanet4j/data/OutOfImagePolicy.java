package org.retinanet4j.data;

/** What a reader does with a box that reaches outside its image. */
public enum OutOfImagePolicy {
    /** Clip the box to the image and log a warning (counted; the first few are logged one by one). */
    CLIP,
    /** Throw a {@link org.retinanet4j.data.DatasetFormatException} naming the file and the annotation. */
    REJECT
}
