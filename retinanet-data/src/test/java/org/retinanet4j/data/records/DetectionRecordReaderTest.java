package org.retinanet4j.data.records;

import org.datavec.api.records.Record;
import org.datavec.api.writable.LongWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.DetectionDatasetBuilder;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeRule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class DetectionRecordReaderTest {

    @TempDir
    Path tmp;

    @Test
    void recordsHoldImageBoxesClassesAndIds() throws IOException {
        ShapesDataset out = new ShapesDatasetGenerator(new ShapesConfig(5, 1, 128, 32, 64, 3, 0.3, 0.0, 9))
                .generate(tmp.resolve("shapes"));
        DetectionDataset d = new CocoInstancesReader().read(out.trainAnnotations(), out.trainImages());
        // 128 -> 64 px (scale 0.5), padded to 128
        DetectionRecordReader reader = new DetectionRecordReader(d, new InputBatcher(new ResizeRule(64, 64),
                PaddingRule.toMultipleOf(128), ImageNormalization.IMAGENET));
        assertEquals(List.of("square", "circle", "triangle"), reader.getLabels());
        int n = 0;
        while (reader.hasNext()) {
            Record r = reader.nextRecord();
            List<Writable> w = r.getRecord();
            INDArray image = ((NDArrayWritable) w.get(DetectionRecordReader.IMAGE)).get();
            assertArrayEquals(new long[] {1, 3, 128, 128}, image.shape());
            assertEquals(0f, image.getFloat(0, 0, 100, 100), 0f);   // padding
            INDArray boxes = ((NDArrayWritable) w.get(DetectionRecordReader.BOXES)).get();
            INDArray classes = ((NDArrayWritable) w.get(DetectionRecordReader.CLASSES)).get();
            assertEquals(d.numBoxes(n), boxes.size(0));
            assertEquals(d.numBoxes(n), classes.length());
            for (int b = 0; b < d.numBoxes(n); b++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(d.box(d.firstBox(n) + b, j) * 0.5f, boxes.getFloat(b, j), 1e-5f);
                }
                assertEquals(d.classIndex(d.firstBox(n) + b), classes.getInt(b));
            }
            assertEquals(d.imageId(n), ((LongWritable) w.get(DetectionRecordReader.IMAGE_ID)).get());
            Record again = reader.loadFromMetaData(r.getMetaData());
            assertEquals(image, ((NDArrayWritable) again.getRecord().get(0)).get());
            n++;
        }
        assertEquals(5, n);
        reader.reset();
        assertEquals(d.imageId(0), ((LongWritable) reader.next().get(DetectionRecordReader.IMAGE_ID)).get());
    }

    @Test
    void missingImageIsACountedSkip() throws IOException {
        DetectionDatasetBuilder b = new DetectionDatasetBuilder("t", tmp);
        b.addImage(1, "missing.png", 10, 10);
        DetectionDataset d = b.build(ShapesDatasetGenerator.categories());
        DetectionRecordReader reader = new DetectionRecordReader(d, new InputBatcher(new ResizeRule(10, 10),
                PaddingRule.toMultipleOf(1), ImageNormalization.IMAGENET));
        assertFalse(reader.hasNext());
        assertEquals(1, reader.skippedImages());
        assertFalse(Files.exists(tmp.resolve("missing.png")));
    }
}
