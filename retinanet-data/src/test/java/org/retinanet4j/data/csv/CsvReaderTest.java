package org.retinanet4j.data.csv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.data.DatasetFormatException;
import org.retinanet4j.data.DetectionDataset;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvReaderTest {

    @TempDir
    Path tmp;

    private Path classes;

    private Path write(String annotations) throws IOException {
        Files.createDirectories(tmp.resolve("img"));
        for (String name : new String[] {"a.png", "b.png", "c d.png"}) {
            ImageIO.write(new BufferedImage(60, 40, BufferedImage.TYPE_INT_RGB), "png", tmp.resolve("img").resolve(name).toFile());
        }
        classes = tmp.resolve("classes.csv");
        Files.writeString(classes, "cat,1\ndog,0\n");
        Path f = tmp.resolve("annotations.csv");
        Files.writeString(f, annotations);
        return f;
    }

    private String error(String annotations) throws IOException {
        Path f = write(annotations);
        return assertThrows(DatasetFormatException.class, () -> new CsvReader().read(f, classes)).getMessage();
    }

    @Test
    void boxesNegativeImagesAndClassIds() throws IOException {
        Path f = write("img/a.png,1,2,30,20,cat\nimg/b.png,,,,,\nimg/a.png,5,5,70,39,dog\n\"img/c d.png\",0,0,10,10,dog\n");
        DetectionDataset d = new CsvReader().read(f, classes);
        assertEquals(3, d.numImages());
        assertEquals(3, d.numBoxes());
        assertEquals(60, d.width(0));
        assertEquals(40, d.height(0));
        assertEquals("dog", d.categories().name(0));     // class index follows ascending id
        assertEquals(1, d.classIndex(0));
        assertArrayEquals(new float[] {1, 2, 30, 20, 5, 5, 60, 39}, d.boxesOf(0));   // second box clipped to x2=60
        assertEquals(65f, d.rawXywh(1, 2));
        assertEquals(0, d.numBoxes(1));
        assertEquals("img/b.png", d.fileName(1));
        assertEquals(tmp.resolve("img/c d.png"), d.imagePath(2));
    }

    @Test
    void badLinesNameFileLineAndField() throws IOException {
        String msg = error("img/a.png,1,2,30,20,cat\nimg/a.png,1,2,30,20,horse\n");
        assertTrue(msg.contains("annotations.csv line 2") && msg.contains("'horse'"), msg);
        msg = error("img/a.png,1,2,x,20,cat\n");
        assertTrue(msg.contains("line 1") && msg.contains("field x2"), msg);
        msg = error("img/a.png,30,2,10,20,cat\n");
        assertTrue(msg.contains("line 1") && msg.contains("non-positive width"), msg);
        msg = error("img/a.png,1,2,30,cat\n");
        assertTrue(msg.contains("line 1") && msg.contains("6 fields"), msg);
        msg = error("img/a.png,1,2,30,20,cat\nimg/missing.png,1,2,30,20,cat\n");
        assertTrue(msg.contains("line 2") && msg.contains("missing.png") && msg.contains("missing or unreadable"), msg);
        msg = error("\n");
        assertTrue(msg.contains("empty dataset"), msg);
        Files.writeString(classes, "cat,1\ndog,1\n");
        Path f = tmp.resolve("annotations.csv");
        msg = assertThrows(DatasetFormatException.class, () -> new CsvReader().readClasses(classes)).getMessage();
        assertTrue(msg.contains("classes.csv line 2") && msg.contains("duplicate class id 1"), msg);
        assertTrue(Files.exists(f));
    }
}
