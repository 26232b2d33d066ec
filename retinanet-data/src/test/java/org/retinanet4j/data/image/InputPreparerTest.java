package org.retinanet4j.data.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeRule;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class InputPreparerTest {

    @TempDir
    Path tmp;

    @Test
    void fileAndBufferedImageGiveTheSameInput() throws IOException {
        BufferedImage bi = new BufferedImage(60, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 60; x++) {
                bi.setRGB(x, y, (x * 4) << 16 | (y * 8) << 8 | 77);
            }
        }
        Path f = tmp.resolve("a.png");
        ImageIO.write(bi, "png", f.toFile());
        InputPreparer p = new InputPreparer(new InputBatcher(new ResizeRule(60, 200), PaddingRule.toMultipleOf(128),
                ImageNormalization.IMAGENET));
        InputBatch fromFile = p.prepare(f);
        InputBatch fromImage = p.prepare(bi);
        assertArrayEquals(new long[] {1, 3, 128, 128}, fromFile.images().shape());
        assertEquals(60, fromFile.geometry().get(0).resizedHeight());
        assertEquals(120, fromFile.geometry().get(0).resizedWidth());
        assertEquals(fromFile.images(), fromImage.images());
        assertEquals(77f, ImageNormalization.IMAGENET.denormalize(fromFile.images().getFloat(0, 2, 10, 10), 2),
                0.01f);
        assertEquals(0f, fromFile.images().getFloat(0, 0, 100, 10), 0f);
    }
}
