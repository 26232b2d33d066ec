package org.retinanet4j.preprocess;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Golden sizes from tools/golden_preprocess.py (torchvision 0.14 GeneralizedRCNNTransform). */
class ResizeRuleTest {

    @Test
    void resizedSizesMatchTorchvision() throws IOException {
        String text;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/preprocess/resize-sizes.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int cases = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            int h = Integer.parseInt(f[0]);
            int w = Integer.parseInt(f[1]);
            ResizeInfo info = new ResizeRule(Integer.parseInt(f[2]), Integer.parseInt(f[3]))
                    .apply(h, w, PaddingRule.toMultipleOf(1));
            assertEquals(Integer.parseInt(f[4]), info.resizedHeight(), line);
            assertEquals(Integer.parseInt(f[5]), info.resizedWidth(), line);
            assertEquals(h, info.originalHeight());
            cases++;
        }
        assertEquals(16, cases);
    }

    @Test
    void paddingToMultipleOrFixedSize() {
        ResizeInfo info = new ResizeRule(800, 1333).apply(480, 640, PaddingRule.toMultipleOf(128));
        assertEquals(800, info.resizedHeight());
        assertEquals(1066, info.resizedWidth());
        assertEquals(896, info.paddedHeight());
        assertEquals(1152, info.paddedWidth());
        ResizeInfo fixed = new ResizeRule(512, 512).apply(427, 640, PaddingRule.toFixed(512, 512));
        assertEquals(341, fixed.resizedHeight());
        assertEquals(512, fixed.paddedHeight());
        assertEquals(512, fixed.paddedWidth());
        assertThrows(IllegalArgumentException.class,
                () -> new ResizeRule(800, 1333).apply(480, 640, PaddingRule.toFixed(512, 512)));
    }

    @Test
    void normalisationIsTorchvisionsAndPaddingIsZero() {
        // torchvision: (v/255 - mean) / std
        assertEquals((128 / 255f - 0.485f) / 0.229f, ImageNormalization.IMAGENET.normalize(128, 0), 1e-6f);
        assertEquals(200f, ImageNormalization.IMAGENET.denormalize(ImageNormalization.IMAGENET.normalize(200, 2), 2), 1e-3f);
        float[] hwc = {255, 0, 0, 0, 0, 255};   // 1x2: red, blue
        float[] dst = new float[3 * 2 * 3];
        java.util.Arrays.fill(dst, 7f);
        ImageNormalization.IMAGENET.writeChw(hwc, 1, 2, true, dst, 0, 2, 3);
        // flipped: column 0 blue, column 1 red; column 2 and row 1 padding = 0
        assertEquals(ImageNormalization.IMAGENET.normalize(0, 0), dst[0], 1e-6f);
        assertEquals(ImageNormalization.IMAGENET.normalize(255, 0), dst[1], 1e-6f);
        assertEquals(0f, dst[2]);
        assertEquals(0f, dst[3]);
        assertEquals(ImageNormalization.IMAGENET.normalize(255, 2), dst[12], 1e-6f);
        assertEquals(0f, dst[17]);
    }

    @Test
    void aModelsOwnMeanAndStdAreUsed() {
        ImageNormalization n = new ImageNormalization(new float[]{0.5f, 0.25f, 0f}, new float[]{0.5f, 0.25f, 1f});
        float[] dst = new float[3];
        n.writeChw(new float[]{255, 255, 51}, 1, 1, false, dst, 0, 1, 1);
        assertEquals(1f, dst[0], 1e-6f);
        assertEquals(3f, dst[1], 1e-6f);
        assertEquals(0.2f, dst[2], 1e-6f);
        assertThrows(IllegalArgumentException.class,
                () -> new ImageNormalization(new float[]{0, 0, 0}, new float[]{1, 0, 1}));
    }
}
