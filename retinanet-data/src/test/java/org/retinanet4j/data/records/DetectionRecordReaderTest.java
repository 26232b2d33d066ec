package org.retinanet4j.data.records;

import org.datavec.api.records.Record;
import org.datavec.api.split.CollectionInputSplit;
import org.datavec.api.split.FileSplit;
import org.datavec.api.writable.Writable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DetectionRecordReaderTest {

    @TempDir
    Path tmp;

    private ShapesDataset shapes() throws IOException {
        return new ShapesDatasetGenerator(new ShapesConfig(6, 1, 128, 32, 64, 3, 0.3, 0.0, 9))
                .generate(tmp.resolve("shapes"));
    }

    /** Record i as the layout promises: the image file, the dataset's boxes in image pixels, classes, id, flags, size. */
    private static void assertRecordIs(DetectionDataset d, int i, List<Writable> w) {
        DetectionRecord r = DetectionRecord.parse(w, "record " + i);
        assertEquals(7, w.size());
        assertEquals(d.imagePath(i).toAbsolutePath(), r.imagePath());
        assertArrayEquals(d.boxesOf(i), r.boxes(), 0f);
        assertArrayEquals(d.classesOf(i), r.classes());
        assertArrayEquals(d.ignoredOf(i), r.ignore());
        assertEquals(d.imageId(i), r.imageId());
        assertEquals(d.width(i), r.width());
        assertEquals(d.height(i), r.height());
    }

    @Test
    void recordsHoldImagePathBoxesClassesIdsFlagsAndSizeInDatasetOrder() throws IOException {
        ShapesDataset out = shapes();
        DetectionDataset d = new CocoInstancesReader().read(out.trainAnnotations(), out.trainImages());
        DetectionRecordReader reader = new DetectionRecordReader(d);
        assertEquals(List.of("square", "circle", "triangle"), reader.getLabels());
        assertEquals(6, reader.numRecords());
        int n = 0;
        while (reader.hasNext()) {
            Record r = reader.nextRecord();
            assertRecordIs(d, n, r.getRecord());
            assertRecordIs(d, n, reader.loadFromMetaData(r.getMetaData()).getRecord());
            assertRecordIs(d, n, reader.record(n));
            n++;
        }
        assertEquals(6, n);
        assertTrue(d.numBoxes() > 0);
        reader.reset();
        assertRecordIs(d, 0, reader.next());
        assertThrows(java.util.NoSuchElementException.class, () -> reader.record(6));
    }

    @Test
    void cocoVocAndCsvReadersInitialiseFromAnInputSplitLikeDataVecReaders() throws Exception {
        ShapesDataset out = shapes();
        DetectionDataset d = new CocoInstancesReader().read(out.trainAnnotations(), out.trainImages());

        CocoRecordReader coco = new CocoRecordReader(out.trainImages());
        coco.initialize(new FileSplit(out.trainAnnotations().toFile()));
        assertEquals(d.numImages(), coco.numRecords());
        for (int i = 0; i < d.numImages(); i++) {
            assertRecordIs(d, i, coco.record(i));
        }

        // the same images as a keras-retinanet CSV file
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < d.numImages(); i++) {
            String file = d.imagePath(i).toAbsolutePath().toString();
            if (d.numBoxes(i) == 0) {
                csv.append(file).append(",,,,,\n");
            }
            for (int b = d.firstBox(i); b < d.firstBox(i) + d.numBoxes(i); b++) {
                csv.append(file).append(',').append((int) d.box(b, 0)).append(',').append((int) d.box(b, 1))
                        .append(',').append((int) d.box(b, 2)).append(',').append((int) d.box(b, 3)).append(',')
                        .append(d.categories().name(d.classIndex(b))).append('\n');
            }
        }
        Files.writeString(tmp.resolve("a.csv"), csv);
        Files.writeString(tmp.resolve("classes.csv"), "square,0\ncircle,1\ntriangle,2\n");
        CsvRecordReader csvReader = new CsvRecordReader(tmp.resolve("classes.csv"));
        csvReader.initialize(new FileSplit(tmp.resolve("a.csv").toFile()));
        assertEquals(d.numImages(), csvReader.numRecords());
        for (int i = 0; i < d.numImages(); i++) {
            DetectionRecord r = DetectionRecord.parse(csvReader.record(i), "csv " + i);
            assertEquals(d.imagePath(i).toAbsolutePath(), r.imagePath());
            assertArrayEquals(d.boxesOf(i), r.boxes(), 0f);   // integer corners: written exactly
            assertArrayEquals(d.classesOf(i), r.classes());
        }

        // a one-image VOC folder
        Path voc = tmp.resolve("voc");
        Files.createDirectories(voc.resolve("Annotations"));
        Files.createDirectories(voc.resolve("JPEGImages"));
        Files.createDirectories(voc.resolve("ImageSets/Main"));
        Files.copy(d.imagePath(0), voc.resolve("JPEGImages/a.png"));
        Files.writeString(voc.resolve("Annotations/a.xml"), "<annotation><filename>a.png</filename><size><width>128"
                + "</width><height>128</height><depth>3</depth></size><object><name>dog</name><difficult>1</difficult>"
                + "<bndbox><xmin>10</xmin><ymin>20</ymin><xmax>50</xmax><ymax>60</ymax></bndbox></object>"
                + "</annotation>");
        Files.writeString(voc.resolve("ImageSets/Main/train.txt"), "a\n");
        VocRecordReader vocReader = new VocRecordReader("train");
        vocReader.initialize(new CollectionInputSplit(List.of(voc.toUri())));
        DetectionRecord r = DetectionRecord.parse(vocReader.next(), "voc 0");
        assertEquals(voc.resolve("JPEGImages/a.png").toAbsolutePath(), r.imagePath());
        assertArrayEquals(new float[] {10, 20, 50, 60}, r.boxes(), 0f);
        assertArrayEquals(new int[] {11}, r.classes());                 // "dog" in VOC's class order
        assertArrayEquals(new boolean[] {true}, r.ignore());            // difficult: an ignore region
        assertFalse(vocReader.hasNext());
    }

    @Test
    void formatErrorsOfTheFileSurfaceFromInitialize() throws IOException {
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 0, \"height\": 4}],"
                + " \"categories\": [{\"id\": 1, \"name\": \"a\"}]}");
        CocoRecordReader reader = new CocoRecordReader();
        IOException e = assertThrows(IOException.class, () -> reader.initialize(new FileSplit(bad.toFile())));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("width"), e.getMessage());
        assertThrows(IllegalStateException.class, reader::numRecords);
    }
}
