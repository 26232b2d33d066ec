package org.retinanet4j.data.voc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.data.DatasetFormatException;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.OutOfImagePolicy;
import org.retinanet4j.data.SharedData;
import org.retinanet4j.data.coco.CocoInstancesReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocReaderTest {

    @TempDir
    Path tmp;

    private static String xml(String objects) {
        return "<annotation><filename>a.jpg</filename><size><width>100</width><height>80</height><depth>3</depth>"
                + "</size>" + objects + "</annotation>";
    }

    private static String object(String name, int difficult, String xmin, String ymin, String xmax, String ymax) {
        return "<object><name>" + name + "</name><difficult>" + difficult + "</difficult><bndbox><xmin>" + xmin
                + "</xmin><ymin>" + ymin + "</ymin><xmax>" + xmax + "</xmax><ymax>" + ymax + "</ymax></bndbox>"
                + "<part><name>head</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></part>"
                + "</object>";
    }

    private Path voc(String... xmls) throws IOException {
        Path root = tmp.resolve("voc");
        Files.createDirectories(root.resolve("Annotations"));
        for (int i = 0; i < xmls.length; i++) {
            Files.writeString(root.resolve("Annotations").resolve(String.format("img%02d.xml", i)), xmls[i]);
        }
        return root;
    }

    private String error(String xml) throws IOException {
        Path root = voc(xml);
        return assertThrows(DatasetFormatException.class, () -> new VocReader().read(root, null)).getMessage();
    }

    @Test
    void difficultIsAnIgnoreRegionAndCoordinatesConvertAsDocumented() throws IOException {
        Path root = voc(xml(object("dog", 0, "10", "20", "30", "40") + object("cat", 1, "1", "1", "100", "80")));
        DetectionDataset d = new VocReader().read(root, null);
        assertEquals(1, d.numImages());
        assertEquals(2, d.numBoxes());
        assertArrayEquals(new float[] {10, 20, 30, 40, 1, 1, 100, 80}, d.boxesOf(0));
        assertEquals(VocReader.VOC_CLASSES.indexOf("dog"), d.classIndex(0));
        assertFalse(d.isIgnored(0));
        assertTrue(d.isDifficult(1) && d.isIgnored(1) && !d.isCrowd(1));
        assertEquals(root.resolve("JPEGImages").resolve("a.jpg"), d.imagePath(0));
        DetectionDataset edges = new VocReader(VocReader.VOC_CLASSES, false, VocCoordinates.PIXEL_EDGES,
                OutOfImagePolicy.CLIP).read(root, null);
        assertEquals(1, edges.numBoxes());                     // difficult dropped on request
        assertArrayEquals(new float[] {9, 19, 30, 40}, edges.boxesOf(0));
    }

    @Test
    void splitListSelectsImages() throws IOException {
        Path root = voc(xml(object("dog", 0, "10", "20", "30", "40")), xml(""));
        Files.createDirectories(root.resolve("ImageSets/Main"));
        Files.writeString(root.resolve("ImageSets/Main/val.txt"), "img01\n");
        assertEquals(0, new VocReader().read(root, "val").numBoxes());
        Files.writeString(root.resolve("ImageSets/Main/bad.txt"), "img01\nimg07\n");
        String msg = assertThrows(DatasetFormatException.class, () -> new VocReader().read(root, "bad")).getMessage();
        assertTrue(msg.contains("bad.txt line 2") && msg.contains("img07.xml"), msg);
    }

    @Test
    void badInputNamesFileObjectAndField() throws IOException {
        String msg = error("<annotation><size><width>100</width>\n<height>80</height></size>\n<object></annotation>");
        assertTrue(msg.contains("img00.xml") && msg.contains("malformed XML at line 3"), msg);
        Files.delete(tmp.resolve("voc/Annotations/img00.xml"));
        msg = error(xml(object("dog", 0, "30", "20", "10", "40")));
        assertTrue(msg.contains("img00.xml object #0") && msg.contains("negative width"), msg);
        Files.delete(tmp.resolve("voc/Annotations/img00.xml"));
        msg = error(xml(object("unicorn", 0, "1", "2", "10", "40")));
        assertTrue(msg.contains("object #0") && msg.contains("'unicorn'"), msg);
        Files.delete(tmp.resolve("voc/Annotations/img00.xml"));
        msg = error(xml(object("dog", 0, "1", "2", "ten", "40")));
        assertTrue(msg.contains("bndbox/xmax") && msg.contains("'ten'"), msg);
        Files.delete(tmp.resolve("voc/Annotations/img00.xml"));
        msg = error("<annotation><filename>a.jpg</filename></annotation>");
        assertTrue(msg.contains("img00.xml") && msg.contains("missing field size"), msg);
        Files.delete(tmp.resolve("voc/Annotations/img00.xml"));
        // out of image: clipped by default, an error under REJECT
        Path root = voc(xml(object("dog", 0, "1", "2", "150", "40")));
        msg = assertThrows(DatasetFormatException.class, () -> new VocReader(VocReader.VOC_CLASSES, true,
                VocCoordinates.AS_WRITTEN, OutOfImagePolicy.REJECT).read(root, null)).getMessage();
        assertTrue(msg.contains("object #0") && msg.contains("outside"), msg);
        assertArrayEquals(new float[] {1, 2, 100, 40}, new VocReader().read(root, null).boxesOf(0));
        Files.delete(tmp.resolve("voc/Annotations/img00.xml"));
        msg = assertThrows(DatasetFormatException.class, () -> new VocReader().read(root, null)).getMessage();
        assertTrue(msg.contains("empty dataset"), msg);
    }

    @Test
    void sharedSampleAgreesBoxForBoxWithItsCocoForm() throws IOException {
        Path sample = SharedData.vocSample();
        DetectionDataset voc = new VocReader().read(sample, null);
        DetectionDataset coco = new CocoInstancesReader().read(sample.resolve("instances.json"),
                sample.resolve("JPEGImages"));
        assertEquals(coco.numImages(), voc.numImages());
        assertEquals(coco.numBoxes(), voc.numBoxes());
        int difficult = 0;
        for (int c = 0; c < coco.numImages(); c++) {
            int v = findByFile(voc, coco.fileName(c));
            assertEquals(coco.width(c), voc.width(v), coco.fileName(c));
            assertEquals(coco.height(c), voc.height(v), coco.fileName(c));
            assertEquals(coco.numBoxes(c), voc.numBoxes(v), coco.fileName(c));
            List<String> cocoBoxes = describe(coco, c);
            List<String> vocBoxes = describe(voc, v);
            assertEquals(cocoBoxes, vocBoxes, "boxes of " + coco.fileName(c));
            for (int b = voc.firstBox(v); b < voc.firstBox(v) + voc.numBoxes(v); b++) {
                difficult += voc.isDifficult(b) ? 1 : 0;
            }
            assertEquals(voc.imagePath(v), coco.imagePath(c));
        }
        assertTrue(difficult > 0, "the sample marks some objects difficult");
    }

    private static int findByFile(DetectionDataset d, String file) {
        for (int i = 0; i < d.numImages(); i++) {
            if (d.fileName(i).equals(file)) {
                return i;
            }
        }
        throw new AssertionError("no image " + file);
    }

    /** "name x1 y1 x2 y2" per box, in file order. */
    private static List<String> describe(DetectionDataset d, int image) {
        List<String> out = new ArrayList<>();
        for (int b = d.firstBox(image); b < d.firstBox(image) + d.numBoxes(image); b++) {
            out.add(d.categories().name(d.classIndex(b)) + " " + d.box(b, 0) + " " + d.box(b, 1) + " " + d.box(b, 2)
                    + " " + d.box(b, 3) + " raw " + d.rawXywh(b, 2) + "x" + d.rawXywh(b, 3));
        }
        return out;
    }
}
