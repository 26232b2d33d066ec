package org.retinanet4j.targets;

import org.retinanet4j.boxes.BoxColumns;
import org.retinanet4j.boxes.BoxIou;

/**
 * Assigns every anchor to a ground-truth box, to the background or to "ignored", as torchvision 0.14's
 * {@code Matcher(0.5, 0.4, allow_low_quality_matches=True)} does for RetinaNet, plus crowd handling.
 *
 * <ul>
 *   <li>Each anchor takes the non-crowd box of highest IoU (ties: lowest box index). IoU {@code >= high} gives that
 *       box, IoU {@code < low} gives {@link #BACKGROUND}, in between {@link #IGNORED}.</li>
 *   <li>Low-quality rule: for every box, every anchor whose IoU equals that box's highest IoU (ties included) is
 *       set to the anchor's own best box (which may be another box). Unlike torchvision, a box whose best IoU is 0
 *       (it overlaps no anchor) gives no such matches; torchvision would then match every anchor.</li>
 *   <li>Crowd regions ({@code GroundTruth.crowd}) never become a match. An anchor that is not a positive and whose
 *       intersection with a crowd box covers at least {@code crowdCoverage} of the anchor's own area is
 *       {@link #IGNORED} (Detectron-style intersection over anchor area; default 0.5).</li>
 *   <li>No non-crowd boxes: every anchor is background (except crowd-covered ones, ignored).</li>
 * </ul>
 *
 * <p>Hot path: primitive loops, no IoU matrix is materialised (a second pass over the unmatched anchors recomputes
 * the few IoUs that can tie a box's maximum and applies the crowd rule), no object per anchor.
 */
public final class AnchorMatcher {

    public static final int BACKGROUND = -1;
    public static final int IGNORED = -2;

    public static final float DEFAULT_FOREGROUND_IOU = 0.5f;
    public static final float DEFAULT_BACKGROUND_IOU = 0.4f;
    public static final float DEFAULT_CROWD_COVERAGE = 0.5f;

    private final float foregroundIou;
    private final float backgroundIou;
    private final boolean allowLowQualityMatches;
    private final float crowdCoverage;

    /** RetinaNet's matcher: foreground IoU 0.5, background IoU 0.4, low-quality matches on, crowd coverage 0.5. */
    public AnchorMatcher() {
        this(DEFAULT_FOREGROUND_IOU, DEFAULT_BACKGROUND_IOU, true, DEFAULT_CROWD_COVERAGE);
    }

    /**
     * @param foregroundIou          IoU at or above which an anchor is positive (torchvision fg_iou_thresh)
     * @param backgroundIou          IoU below which an anchor is background (torchvision bg_iou_thresh)
     * @param allowLowQualityMatches torchvision's low-quality rule (on for RetinaNet)
     * @param crowdCoverage          fraction of an anchor's area covered by a crowd box that makes it ignored;
     *                               a value above 1 disables crowd ignoring
     */
    public AnchorMatcher(float foregroundIou, float backgroundIou, boolean allowLowQualityMatches,
                         float crowdCoverage) {
        if (!(foregroundIou >= 0 && foregroundIou <= 1)) {
            throw new IllegalArgumentException("AnchorMatcher.foregroundIou must be in [0, 1], got " + foregroundIou);
        }
        if (!(backgroundIou >= 0 && backgroundIou <= foregroundIou)) {
            throw new IllegalArgumentException("AnchorMatcher.backgroundIou must be in [0, foregroundIou="
                    + foregroundIou + "], got " + backgroundIou);
        }
        if (!(crowdCoverage > 0)) {
            throw new IllegalArgumentException("AnchorMatcher.crowdCoverage must be > 0, got " + crowdCoverage);
        }
        this.foregroundIou = foregroundIou;
        this.backgroundIou = backgroundIou;
        this.allowLowQualityMatches = allowLowQualityMatches;
        this.crowdCoverage = crowdCoverage;
    }

    public float foregroundIou() {
        return foregroundIou;
    }

    public float backgroundIou() {
        return backgroundIou;
    }

    public boolean allowLowQualityMatches() {
        return allowLowQualityMatches;
    }

    public float crowdCoverage() {
        return crowdCoverage;
    }

    /** Matches without crowd regions. */
    public int[] match(float[] anchors, float[] gtBoxes) {
        return match(anchors, gtBoxes, null);
    }

    /**
     * @param anchors {@code A * 4} anchor coordinates
     * @param gtBoxes {@code n * 4} ground-truth boxes (validated by the caller: finite, positive width and height)
     * @param crowd   {@code n} crowd flags, or {@code null} for none
     * @return per anchor: matched box index (into {@code gtBoxes}), {@link #BACKGROUND} or {@link #IGNORED}
     */
    public int[] match(float[] anchors, float[] gtBoxes, boolean[] crowd) {
        if (anchors.length % 4 != 0 || gtBoxes.length % 4 != 0) {
            throw new IllegalArgumentException("AnchorMatcher: anchors (" + anchors.length + " values) and boxes ("
                    + gtBoxes.length + " values) need 4 values per box");
        }
        int numAnchors = anchors.length / 4;
        int numBoxes = gtBoxes.length / 4;
        if (crowd != null && crowd.length != numBoxes) {
            throw new IllegalArgumentException("AnchorMatcher: " + crowd.length + " crowd flags for " + numBoxes
                    + " boxes");
        }
        BoxColumns regular = columns(gtBoxes, indices(crowd, numBoxes, false));
        BoxColumns crowdRegions = columns(gtBoxes, indices(crowd, numBoxes, true));
        int[] matches = new int[numAnchors];
        float[] bestIou = new float[numAnchors];
        float[] gtBest = new float[regular.size()];
        bestBoxes(anchors, regular, matches, bestIou, gtBest);
        lowQualityAndCrowd(anchors, regular, bestIou, gtBest, crowdRegions, matches);
        return matches;
    }

    /**
     * Pass 1: best box per anchor (first index on ties, like torch.max on the CPU), its threshold state, and the best
     * anchor IoU per box. Unmatched anchors keep their best box encoded in {@code matches} for pass 2.
     */
    private void bestBoxes(float[] anchors, BoxColumns gt, int[] matches, float[] bestIou, float[] gtBest) {
        int m = gt.size();
        float[] gx1 = gt.x1;
        float[] gy1 = gt.y1;
        float[] gx2 = gt.x2;
        float[] gy2 = gt.y2;
        float[] garea = gt.area;
        java.util.Arrays.fill(gtBest, Float.NEGATIVE_INFINITY);
        for (int a = 0; a < matches.length; a++) {
            int p = a * 4;
            float ax1 = anchors[p];
            float ay1 = anchors[p + 1];
            float ax2 = anchors[p + 2];
            float ay2 = anchors[p + 3];
            float aarea = BoxIou.area(ax1, ay1, ax2, ay2);
            float best = Float.NEGATIVE_INFINITY;
            int bestBox = 0;
            for (int g = 0; g < m; g++) {
                // torchvision: box_iou(gt, anchors); most pairs do not overlap, and their IoU is exactly 0
                float iou = BoxIou.overlap(gx1[g], gy1[g], gx2[g], gy2[g], ax1, ay1, ax2, ay2)
                        ? BoxIou.iou(gx1[g], gy1[g], gx2[g], gy2[g], garea[g], ax1, ay1, ax2, ay2, aarea) : 0f;
                if (iou > best) {
                    best = iou;
                    bestBox = g;
                }
                if (iou > gtBest[g]) {
                    gtBest[g] = iou;
                }
            }
            bestIou[a] = best;
            int state = m == 0 || best < backgroundIou ? BACKGROUND : best < foregroundIou ? IGNORED : gt.index[bestBox];
            // remember the best box where the low-quality pass can find it without recomputing the argmax
            matches[a] = state >= 0 ? state : encodeUnmatched(state, bestBox);
        }
    }

    /**
     * Pass 2, over the anchors that pass 1 left unmatched: the low-quality rule (only anchors whose best IoU reaches
     * the smallest per-box maximum can tie one), then crowd coverage for those still background.
     */
    private void lowQualityAndCrowd(float[] anchors, BoxColumns gt, float[] bestIou, float[] gtBest, BoxColumns crowd,
                                    int[] matches) {
        float minGtBest = Float.POSITIVE_INFINITY;
        for (float best : gtBest) {
            if (best > 0f) {
                minGtBest = Math.min(minGtBest, best);
            }
        }
        boolean lowQuality = allowLowQualityMatches && minGtBest < Float.POSITIVE_INFINITY;
        for (int a = 0; a < matches.length; a++) {
            int code = matches[a];
            if (code >= 0) {
                continue;
            }
            matches[a] = unmatchedState(code);
            boolean tieCandidate = lowQuality && bestIou[a] >= minGtBest;
            if (!tieCandidate && (matches[a] == IGNORED || crowd.size() == 0)) {
                continue;
            }
            int p = a * 4;
            float ax1 = anchors[p];
            float ay1 = anchors[p + 1];
            float ax2 = anchors[p + 2];
            float ay2 = anchors[p + 3];
            float aarea = BoxIou.area(ax1, ay1, ax2, ay2);
            if (tieCandidate) {
                for (int g = 0; g < gt.size(); g++) {
                    // boxes whose best IoU is 0 are left out; a box this anchor does not overlap (IoU 0) cannot tie
                    if (gtBest[g] > 0f && gtBest[g] == BoxIou.iou(gt.x1[g], gt.y1[g], gt.x2[g], gt.y2[g],
                            gt.area[g], ax1, ay1, ax2, ay2, aarea)) {
                        matches[a] = gt.index[unmatchedBestBox(code)];
                        break;
                    }
                }
            }
            if (matches[a] == BACKGROUND) {
                for (int c = 0; c < crowd.size(); c++) {
                    // intersection over the anchor's own area, not IoU (Detectron's crowd rule)
                    float w = Math.min(ax2, crowd.x2[c]) - Math.max(ax1, crowd.x1[c]);
                    float h = Math.min(ay2, crowd.y2[c]) - Math.max(ay1, crowd.y1[c]);
                    if (w > 0f && h > 0f && w * h >= crowdCoverage * aarea) {
                        matches[a] = IGNORED;
                        break;
                    }
                }
            }
        }
    }

    // Unmatched anchors temporarily carry their best box: code = -(bestBox * 2 + 1) for background, -(bestBox * 2 + 2)
    // for ignored; always negative and decoded in pass 2.
    private static int encodeUnmatched(int state, int bestBox) {
        return -(bestBox * 2 + (state == BACKGROUND ? 1 : 2));
    }

    private static int unmatchedState(int code) {
        return ((-code) & 1) == 1 ? BACKGROUND : IGNORED;
    }

    private static int unmatchedBestBox(int code) {
        return (-code - 1) / 2;
    }

    private static BoxColumns columns(float[] boxes, int[] index) {
        return new BoxColumns(boxes, index, index.length);
    }

    private static int[] indices(boolean[] crowd, int n, boolean wantCrowd) {
        int count = 0;
        for (int i = 0; i < n; i++) {
            if ((crowd != null && crowd[i]) == wantCrowd) {
                count++;
            }
        }
        int[] out = new int[count];
        int pos = 0;
        for (int i = 0; i < n; i++) {
            if ((crowd != null && crowd[i]) == wantCrowd) {
                out[pos++] = i;
            }
        }
        return out;
    }
}
