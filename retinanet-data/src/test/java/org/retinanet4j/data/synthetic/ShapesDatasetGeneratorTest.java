package org.retinanet4j.data.synthetic;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapesDatasetGeneratorTest {

    @TempDir
    Path tmp;

    @Test
    void sameSeedSameBytesOtherSeedOtherImages() throws IOException {
        ShapesConfig cfg = ShapesConfig.defaults(6, 3, 42);
        ShapesDataset a = new ShapesDatasetGenerator(cfg).generate(tmp.resolve("a"));
        ShapesDataset b = new ShapesDatasetGenerator(cfg).generate(tmp.resolve("b"));
        ShapesDataset c = new ShapesDatasetGenerator(ShapesConfig.defaults(6, 3, 43)).generate(tmp.resolve("c"));
        assertArrayEquals(Files.readAllBytes(a.trainAnnotations()), Files.readAllBytes(b.trainAnnotations()));
        assertArrayEquals(Files.readAllBytes(a.valImages().resolve("000002.png")),
                Files.readAllBytes(b.valImages().resolve("000002.png")));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.trainImages().resolve("000001.png")),
                Files.readAllBytes(c.trainImages().resolve("000001.png"))));
        assertNotEquals(Files.readString(a.trainAnnotations()), Files.readString(a.valAnnotations()));
    }

    @Test
    void boxesAreTheExtentOfPaintedShapesAndSomeImagesAreEmpty() throws IOException {
        ShapesConfig cfg = new ShapesConfig(40, 1, 128, 16, 48, 3, 0.2, 0.0, 7);
        ShapesDataset out = new ShapesDatasetGenerator(cfg).generate(tmp);
        DetectionDataset d = new CocoInstancesReader().read(out.trainAnnotations(), out.trainImages());
        assertEquals(40, d.numImages());
        assertEquals(ShapesDatasetGenerator.categories(), d.categories());
        int empty = 0;
        int[] perClass = new int[3];
        for (int i = 0; i < d.numImages(); i++) {
            if (d.numBoxes(i) == 0) {
                empty++;
            }
            BufferedImage img = ImageIO.read(d.imagePath(i).toFile());
            int bg = img.getRGB(0, 0);
            for (int b = d.firstBox(i); b < d.firstBox(i) + d.numBoxes(i); b++) {
                perClass[d.classIndex(b)]++;
                int x1 = (int) d.box(b, 0);
                int y1 = (int) d.box(b, 1);
                int x2 = (int) d.box(b, 2);
                int y2 = (int) d.box(b, 3);
                assertTrue(x2 - x1 >= 16 * 0.86 - 1 && x2 <= 128 && y2 <= 128, "box in range");
                // the shape's bottom row (rectangle, ellipse and triangle base alike) is painted at mid-width
                int bottom = img.getRGB((x1 + x2) / 2, y2 - 1);
                assertNotEquals(bg, bottom, "image " + i + " box " + b + " bottom row painted");
            }
        }
        assertTrue(empty > 0 && empty < 40, "some but not all images empty: " + empty);
        for (int k = 0; k < 3; k++) {
            assertTrue(perClass[k] > 0, "class " + k + " present");
        }
    }
}
