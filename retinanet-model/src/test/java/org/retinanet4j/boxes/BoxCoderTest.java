package org.retinanet4j.boxes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.retinanet4j.anchors.AnchorFixtures.floats;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.retinanet4j.anchors.AnchorFixtures;

/** BoxCoder against torchvision's BoxCoder((1, 1, 1, 1)) (fixtures/anchors/box_coder.json). */
class BoxCoderTest {

    private static final Map<String, Object> FIXTURE = AnchorFixtures.load("box_coder.json");
    private final BoxCoder coder = new BoxCoder();

    @Test
    void clipIsLog1000Over16() {
        assertEquals(AnchorFixtures.number(FIXTURE.get("clip")), BoxCoder.DEFAULT_XFORM_CLIP, 0.0);
    }

    @Test
    void encodeEqualsTorchvision() {
        float[] expected = floats(FIXTURE.get("encoded"));
        float[] actual = coder.encode(floats(FIXTURE.get("gt")), floats(FIXTURE.get("anchors")));
        assertClose(expected, actual, 1e-6, "encode");
    }

    @Test
    void decodeEqualsTorchvisionIncludingClampedScales() {
        float[] expected = floats(FIXTURE.get("decoded"));
        float[] actual = coder.decode(floats(FIXTURE.get("codes")), floats(FIXTURE.get("anchors")));
        // coordinates reach ~1e4 after exp(clip): compare relative to magnitude at float32 precision
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-6 * Math.max(1.0, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, "decode value " + i);
        }
    }

    @Test
    void decodeInvertsEncode() {
        float[] anchors = floats(FIXTURE.get("anchors"));
        float[] gt = floats(FIXTURE.get("gt"));
        float[] roundTrip = coder.decode(coder.encode(gt, anchors), anchors);
        for (int i = 0; i < gt.length; i++) {
            assertEquals(gt[i], roundTrip[i], 1e-3, "value " + i);
        }
    }

    @Test
    void rejectsBadWeights() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BoxCoder(1, 0, 1, 1, BoxCoder.DEFAULT_XFORM_CLIP));
        assertEquals(true, e.getMessage().contains("wy"), e.getMessage());
    }

    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, what + " value " + i);
        }
    }
}
