package org.retinanet4j.boxes;

/**
 * Encodes ground-truth boxes relative to anchors and decodes regressions back to boxes, as torchvision's
 * {@code det_utils.BoxCoder} does, in float32.
 *
 * <p>Width = x2 - x1 (no +1), centre = x1 + 0.5 * width. Encoding: {@code dx = wx * (gtCx - aCx) / aW},
 * {@code dw = ww * log(gtW / aW)} (same for y/h). Decoding divides by the weights, clamps {@code dw}, {@code dh}
 * at {@code bboxXformClip} (default log(1000/16)) before {@code exp}, and returns {@code ctr -/+ 0.5 * exp(d) * w}.
 * Boxes are {@code float[]} with 4 values per box (x1, y1, x2, y2); codes are 4 values per box (dx, dy, dw, dh).
 */
public final class BoxCoder {

    /** torchvision's {@code bbox_xform_clip}: log(1000 / 16). */
    public static final double DEFAULT_XFORM_CLIP = Math.log(1000.0 / 16);

    private final float wx;
    private final float wy;
    private final float ww;
    private final float wh;
    private final float clip;

    /** Weights (1, 1, 1, 1) and clip log(1000/16), as RetinaNet in torchvision. */
    public BoxCoder() {
        this(1f, 1f, 1f, 1f, DEFAULT_XFORM_CLIP);
    }

    public BoxCoder(float wx, float wy, float ww, float wh, double bboxXformClip) {
        float[] weights = {wx, wy, ww, wh};
        String[] names = {"wx", "wy", "ww", "wh"};
        for (int i = 0; i < 4; i++) {
            if (!(weights[i] > 0) || Float.isInfinite(weights[i])) {
                throw new IllegalArgumentException("BoxCoder weight " + names[i] + " must be finite and > 0, got " + weights[i]);
            }
        }
        if (Double.isNaN(bboxXformClip)) {
            throw new IllegalArgumentException("BoxCoder bboxXformClip must not be NaN");
        }
        this.wx = wx;
        this.wy = wy;
        this.ww = ww;
        this.wh = wh;
        this.clip = (float) bboxXformClip;
    }

    /** Encodes the box at {@code gt[gtOffset..+4)} relative to the anchor at {@code anchors[anchorOffset..+4)}. */
    public void encode(float[] gt, int gtOffset, float[] anchors, int anchorOffset, float[] out, int outOffset) {
        float exW = anchors[anchorOffset + 2] - anchors[anchorOffset];
        float exH = anchors[anchorOffset + 3] - anchors[anchorOffset + 1];
        float exCx = anchors[anchorOffset] + 0.5f * exW;
        float exCy = anchors[anchorOffset + 1] + 0.5f * exH;
        float gtW = gt[gtOffset + 2] - gt[gtOffset];
        float gtH = gt[gtOffset + 3] - gt[gtOffset + 1];
        float gtCx = gt[gtOffset] + 0.5f * gtW;
        float gtCy = gt[gtOffset + 1] + 0.5f * gtH;
        out[outOffset] = wx * (gtCx - exCx) / exW;
        out[outOffset + 1] = wy * (gtCy - exCy) / exH;
        out[outOffset + 2] = ww * (float) Math.log(gtW / exW);
        out[outOffset + 3] = wh * (float) Math.log(gtH / exH);
    }

    /** Encodes box i of {@code gtBoxes} against anchor i of {@code anchors}; both hold the same number of boxes. */
    public float[] encode(float[] gtBoxes, float[] anchors) {
        requireSameBoxCount(gtBoxes, anchors, "gtBoxes", "anchors");
        float[] out = new float[gtBoxes.length];
        for (int off = 0; off < out.length; off += 4) {
            encode(gtBoxes, off, anchors, off, out, off);
        }
        return out;
    }

    /** Decodes the code at {@code codes[codeOffset..+4)} against the anchor at {@code anchors[anchorOffset..+4)}. */
    public void decode(float[] codes, int codeOffset, float[] anchors, int anchorOffset, float[] out, int outOffset) {
        float widths = anchors[anchorOffset + 2] - anchors[anchorOffset];
        float heights = anchors[anchorOffset + 3] - anchors[anchorOffset + 1];
        float ctrX = anchors[anchorOffset] + 0.5f * widths;
        float ctrY = anchors[anchorOffset + 1] + 0.5f * heights;
        float dx = codes[codeOffset] / wx;
        float dy = codes[codeOffset + 1] / wy;
        float dw = Math.min(codes[codeOffset + 2] / ww, clip);
        float dh = Math.min(codes[codeOffset + 3] / wh, clip);
        float predCtrX = dx * widths + ctrX;
        float predCtrY = dy * heights + ctrY;
        float halfW = 0.5f * ((float) Math.exp(dw) * widths);
        float halfH = 0.5f * ((float) Math.exp(dh) * heights);
        out[outOffset] = predCtrX - halfW;
        out[outOffset + 1] = predCtrY - halfH;
        out[outOffset + 2] = predCtrX + halfW;
        out[outOffset + 3] = predCtrY + halfH;
    }

    /** Decodes code i of {@code codes} against anchor i of {@code anchors}. */
    public float[] decode(float[] codes, float[] anchors) {
        requireSameBoxCount(codes, anchors, "codes", "anchors");
        float[] out = new float[codes.length];
        for (int off = 0; off < out.length; off += 4) {
            decode(codes, off, anchors, off, out, off);
        }
        return out;
    }

    private static void requireSameBoxCount(float[] a, float[] b, String nameA, String nameB) {
        if (a.length % 4 != 0 || a.length != b.length) {
            throw new IllegalArgumentException("BoxCoder: " + nameA + " (" + a.length + " values) and " + nameB + " ("
                    + b.length + " values) must hold the same number of 4-value boxes");
        }
    }
}
