package org.retinanet4j.data.image;

import org.junit.jupiter.api.Test;
import org.retinanet4j.data.transform.BoxTransforms;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeInfo;
import org.retinanet4j.preprocess.ResizeRule;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Resize + normalise + box scaling against torchvision's GeneralizedRCNNTransform and resize_boxes
 * (tools/golden_preprocess.py): one upscaling and one downscaling case.
 */
class TorchvisionResizeGoldenTest {

    @Test
    void resizedNormalisedPixelsAndBoxesMatchTorchvision() throws IOException {
        String[] lines;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/preprocess/resize-normalize.txt")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
        }
        int cases = 0;
        for (int l = 0; l < lines.length; l++) {
            if (!lines[l].startsWith("case ")) {
                continue;
            }
            String[] f = lines[l].split(" ");
            int h = Integer.parseInt(f[2]);
            int w = Integer.parseInt(f[3]);
            ResizeInfo info = new ResizeRule(Integer.parseInt(f[4]), Integer.parseInt(f[5]))
                    .apply(h, w, PaddingRule.toMultipleOf(1));
            assertEquals(Integer.parseInt(f[6]), info.resizedHeight(), f[1]);
            assertEquals(Integer.parseInt(f[7]), info.resizedWidth(), f[1]);
            byte[] rgb = new byte[h * w * 3];
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    for (int c = 0; c < 3; c++) {
                        rgb[(i * w + j) * 3 + c] = (byte) ((i * 37 + j * 11 + c * 101) % 256);
                    }
                }
            }
            int rh = info.resizedHeight();
            int rw = info.resizedWidth();
            float[] pixels = ImageResizer.resize(new RgbImage(w, h, rgb), rw, rh);
            float[] chw = new float[3 * rh * rw];
            ImageNormalization.IMAGENET.writeChw(pixels, rh, rw, false, chw, 0, rh, rw);
            float[] expected = parse(lines[l + 1]);
            assertEquals(expected.length, chw.length);
            for (int k = 0; k < chw.length; k++) {
                assertEquals(expected[k], chw[k], 2e-4f, f[1] + " value " + k);
            }
            float[] boxes = {1f, 2f, 5.5f, 6f, 0f, 0f, w, h};
            BoxTransforms.resize(boxes, info);
            float[] expectedBoxes = parse(lines[l + 2]);
            for (int k = 0; k < boxes.length; k++) {
                assertEquals(expectedBoxes[k], boxes[k], 1e-5f, f[1] + " box value " + k);
            }
            cases++;
        }
        assertEquals(2, cases);
    }

    private static float[] parse(String line) {
        String[] t = line.trim().split(" ");
        float[] out = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = Float.parseFloat(t[i]);
        }
        return out;
    }
}
