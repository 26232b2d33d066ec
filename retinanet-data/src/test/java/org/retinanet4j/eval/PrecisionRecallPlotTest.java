package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PNG plots: one per category with ground truth, curves where the numbers put them. */
class PrecisionRecallPlotTest {

    @Test
    void perfectCategoryIsDrawnAlongPrecisionOne(@TempDir Path dir) throws Exception {
        CocoEvalResult r = CocoFixtures.evaluate("crowd"); // AP 1: precision 1 at every recall
        List<Path> files = PrecisionRecallPlot.writeAll(r, dir);
        assertEquals(1, files.size());
        BufferedImage img = ImageIO.read(files.get(0).toFile());
        assertEquals(480, img.getWidth());
        // plot area: x 60..460 for recall 0..1, y 350..40 for precision 0..1; (recall 0.5, precision 1) is on a curve
        int onCurve = img.getRGB(260, 40) & 0xffffff;
        assertNotEquals(0xffffff, onCurve);
        // (recall 0.5, precision 0.5) is empty plot area (white or grid grey), never a curve colour
        int below = img.getRGB(261, 196) & 0xffffff;
        assertEquals(true, below == 0xffffff || below == 0xdddddd, Integer.toHexString(below));
    }

    @Test
    void categoriesWithoutGroundTruthGetNoFile(@TempDir Path dir) throws Exception {
        List<Path> files = PrecisionRecallPlot.writeAll(CocoFixtures.evaluate("non-contiguous-ids"), dir);
        assertEquals(List.of("pr-3-c3.png", "pr-90-c90.png"),
                files.stream().map(p -> p.getFileName().toString()).toList());
    }
}
