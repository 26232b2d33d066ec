package org.retinanet4j.data;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies an {@link OutOfImagePolicy} to boxes of one dataset being read: clips a box to its image (logging the
 * first few one by one, then a total in {@link #logSummary()}), or rejects it with an error naming the record.
 */
public final class BoxClipper {

    private static final Logger log = LoggerFactory.getLogger(BoxClipper.class);
    private static final int DETAILED_WARNINGS = 10;

    private final String source;
    private final OutOfImagePolicy policy;
    private int clipped;

    public BoxClipper(String source, OutOfImagePolicy policy) {
        this.source = source;
        this.policy = policy;
    }

    /**
     * Clips {@code box} (x1,y1,x2,y2, modified in place) to [0,width] x [0,height].
     *
     * @param record names the record in messages (e.g. "Annotations/x.xml object #2")
     * @throws DatasetFormatException under {@link OutOfImagePolicy#REJECT} when the box reaches outside
     */
    public void apply(float[] box, int width, int height, String record) throws DatasetFormatException {
        float x1 = Math.max(0f, box[0]);
        float y1 = Math.max(0f, box[1]);
        float x2 = Math.min(width, box[2]);
        float y2 = Math.min(height, box[3]);
        if (x1 == box[0] && y1 == box[1] && x2 == box[2] && y2 == box[3]) {
            return;
        }
        String what = record + ": box [" + box[0] + ", " + box[1] + ", " + box[2] + ", " + box[3]
                + "] reaches outside the " + width + "x" + height + " image";
        if (policy == OutOfImagePolicy.REJECT) {
            throw new DatasetFormatException(source + ": " + what);
        }
        x2 = Math.max(x1, x2);
        y2 = Math.max(y1, y2);
        if (clipped++ < DETAILED_WARNINGS) {
            log.warn("{}: {}; clipped to [{}, {}, {}, {}]", source, what, x1, y1, x2, y2);
        }
        box[0] = x1;
        box[1] = y1;
        box[2] = x2;
        box[3] = y2;
    }

    public int clipped() {
        return clipped;
    }

    /** Logs how many boxes were clipped in all (nothing when none). */
    public void logSummary() {
        if (clipped > 0) {
            log.warn("{}: {} boxes reached outside their image and were clipped", source, clipped);
        }
    }
}
