package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;

/**
 * The evaluator reads COCO ground truth through the data module's reader: it must see each box as the file gave
 * it (unclipped, every double digit) and the file's area, never the clipped float training box.
 */
class CocoGroundTruthFromDatasetTest {
    // image 100 x 100; box 0 reaches outside (x 80..120), box 1 has digits float32 cannot hold, box 2 is a
    // crowd region without an area field
    private static final String GT = "{\"images\":[{\"id\":7,\"file_name\":\"7.jpg\",\"width\":100,\"height\":100}],"
            + "\"categories\":[{\"id\":1,\"name\":\"a\"}],\"annotations\":["
            + "{\"id\":1,\"image_id\":7,\"category_id\":1,\"bbox\":[80,80,40,40],\"area\":1000.5,\"iscrowd\":0},"
            + "{\"id\":2,\"image_id\":7,\"category_id\":1,\"bbox\":[10.123456789,20.1,30.000001,40.3],"
            + "\"area\":1209.123456789},"
            + "{\"id\":3,\"image_id\":7,\"category_id\":1,\"bbox\":[0,0,10.1,10.1],\"iscrowd\":1}]}";

    private static DetectionDataset dataset() throws IOException {
        return new CocoInstancesReader().read(new ByteArrayInputStream(GT.getBytes(StandardCharsets.UTF_8)),
                "gt.json", Path.of("."));
    }

    @Test
    void rawDoubleBoxesAndAreasReachTheEvaluator() throws IOException {
        DetectionDataset d = dataset();
        assertEquals(100f, d.box(0, 2)); // the training box is clipped...
        CocoGroundTruth gt = CocoGroundTruth.fromDataset(d);
        assertArrayEquals(new double[] {80, 80, 40, 40, 10.123456789, 20.1, 30.000001, 40.3, 0, 0, 10.1, 10.1},
                gt.boxes(), 0.0); // ...the evaluated one is not, and keeps the file's doubles
        assertArrayEquals(new double[] {1000.5, 1209.123456789, 10.1 * 10.1}, gt.areas(), 0.0);
        assertFalse(gt.crowdFlags()[0]);
        assertTrue(gt.crowdFlags()[2]);
    }

    @Test
    void aDetectionOfTheRawBoxIsAPerfectMatch() throws IOException {
        CocoGroundTruth gt = CocoGroundTruth.fromDataset(dataset());
        // IoU 1 with the raw box 80,80,40,40; against the clipped 80,80,20,20 it would be 0.25 (a miss at 0.5)
        CocoDetections dt = new CocoDetections().add(7, 1, 80, 80, 40, 40, 0.9)
                .add(7, 1, 10.123456789, 20.1, 30.000001, 40.3, 0.8);
        CocoStats stats = new CocoEvaluator().evaluate(gt, dt).stats();
        assertEquals(1.0, stats.ap(), 1e-12);
        assertEquals(1.0, stats.ar100(), 1e-12);
    }
}
