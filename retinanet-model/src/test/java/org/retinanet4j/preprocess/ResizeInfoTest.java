package org.retinanet4j.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResizeInfoTest {

    @Test
    void scalesAreResizedOverOriginalAndMappingUsesFloat32SizeRatios() {
        ResizeInfo info = ResizeInfo.of(333, 500, 100, 150, 128, 192);
        assertEquals(100.0 / 333, info.scaleY(), 0.0);
        assertEquals(150.0 / 500, info.scaleX(), 0.0);
        // torchvision's resize_boxes: box * (float32(original) / float32(resized))
        assertEquals(50f * (333f / 100f), info.toOriginalY(50f), 0f);
        assertEquals(75f * (500f / 150f), info.toOriginalX(75f), 0f);
        ResizeInfo same = ResizeInfo.identity(64, 96);
        assertEquals(12.5f, same.toOriginalX(12.5f), 0f);
    }

    @Test
    void invalidSizesNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResizeInfo.of(100, 0, 10, 10, 10, 10));
        assertTrue(e.getMessage().contains("originalWidth"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ResizeInfo.of(100, 100, 64, 64, 32, 64));
        assertTrue(e.getMessage().contains("padded size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ResizeInfo(10, 10, 10, 10, 10, 10, Double.NaN, 1));
        assertTrue(e.getMessage().contains("scaleY"), e.getMessage());
    }
}
