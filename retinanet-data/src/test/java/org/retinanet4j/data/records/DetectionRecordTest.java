package org.retinanet4j.data.records;

import org.datavec.api.writable.BytesWritable;
import org.datavec.api.writable.DoubleWritable;
import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.LongWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DetectionRecordTest {

    private static List<Writable> minimal(Writable image, Writable boxes, Writable classes, Writable id) {
        List<Writable> r = new ArrayList<>();
        r.add(image);
        r.add(boxes);
        r.add(classes);
        r.add(id);
        return r;
    }

    private static NDArrayWritable nd(float[] v, long... shape) {
        return new NDArrayWritable(v.length == 0 ? Nd4j.create(DataType.FLOAT, shape)
                : Nd4j.create(v, shape, DataType.FLOAT));
    }

    @Test
    void writtenRecordsReadBackFieldForField() {
        DetectionRecord r = new DetectionRecord(new Text("/data/a.jpg"), new float[] {1, 2, 30, 40, 5, 6, 7, 8},
                new int[] {2, 0}, 77L, new boolean[] {false, true}, 640, 480);
        List<Writable> w = r.toWritables();
        assertEquals(7, w.size());
        assertEquals(DetectionRecord.schema().numColumns(), w.size());
        DetectionRecord back = DetectionRecord.parse(w, "r");
        assertEquals(Path.of("/data/a.jpg"), back.imagePath());
        assertArrayEquals(r.boxes(), back.boxes(), 0f);
        assertArrayEquals(r.classes(), back.classes());
        assertArrayEquals(r.ignore(), back.ignore());
        assertEquals(77L, back.imageId());
        assertEquals(640, back.width());
        assertEquals(480, back.height());
    }

    @Test
    void fourFieldRecordsWithFlatBoxesBytesAndIntIdsAreAccepted() {
        DetectionRecord r = DetectionRecord.parse(minimal(new BytesWritable(new byte[] {1, 2, 3}),
                nd(new float[] {0, 0, 4, 4}, 4), nd(new float[] {1}, 1), new IntWritable(5)), "r");
        assertNull(r.imagePath());
        assertArrayEquals(new boolean[] {false}, r.ignore());
        assertFalse(r.hasSize());
        assertEquals("image id 5 (3 bytes)", r.describeImage());
    }

    @Test
    void aRecordWithoutBoxesIsAnImageWithoutObjects() {
        DetectionRecord r = DetectionRecord.parse(minimal(new Text("a.png"), nd(new float[0], 0, 4),
                nd(new float[0], 0), new LongWritable(1)), "r");
        assertEquals(0, r.numBoxes());
        DetectionRecord flat = DetectionRecord.parse(minimal(new Text("a.png"), nd(new float[0], 0),
                nd(new float[0], 0), new LongWritable(1)), "r");
        assertEquals(0, flat.numBoxes());
    }

    @Test
    void malformedRecordsNameTheRecordAndTheField() {
        String where = "record 3 of MyReader";
        assertMessage(() -> DetectionRecord.parse(List.of(new Text("a.png")), where), where, "expected 4, 5 or 7");
        assertMessage(() -> DetectionRecord.parse(minimal(new DoubleWritable(1), nd(new float[0], 0, 4),
                nd(new float[0], 0), new LongWritable(1)), where), where, "field image");
        assertMessage(() -> DetectionRecord.parse(minimal(new Text("a.png"), nd(new float[] {1, 2, 3}, 3),
                nd(new float[] {0}, 1), new LongWritable(9)), where), "image id 9", "field boxes");
        assertMessage(() -> DetectionRecord.parse(minimal(new Text("a.png"), nd(new float[] {1, 2, 3, 4, 5, 6}, 2, 3),
                nd(new float[] {0, 0}, 2), new LongWritable(9)), where), where, "[n, 4]");
        assertMessage(() -> DetectionRecord.parse(minimal(new Text("a.png"), nd(new float[] {1, 2, 3, 4}, 1, 4),
                nd(new float[] {0, 1}, 2), new LongWritable(9)), where), where, "field classes has 2 entries for 1");
        assertMessage(() -> DetectionRecord.parse(minimal(new Text("a.png"), nd(new float[] {1, 2, 3, 4}, 1, 4),
                nd(new float[] {0.5f}, 1), new LongWritable(9)), where), where, "field classes");
        assertMessage(() -> DetectionRecord.parse(minimal(new Text("a.png"), nd(new float[] {1, 2, 3, 4}, 1, 4),
                new Text("cat"), new LongWritable(9)), where), where, "field classes must be an NDArrayWritable");
        assertMessage(() -> DetectionRecord.parse(minimal(new Text("a.png"), nd(new float[] {1, 2, 3, 4}, 1, 4),
                nd(new float[] {0}, 1), new Text("x")), where), where, "field imageId");
        assertMessage(() -> DetectionRecord.parse(minimal(new Text("a.png"), nd(new float[] {1, Float.NaN, 3, 4}, 1, 4),
                nd(new float[] {0}, 1), new LongWritable(9)), where), where, "non-finite");
        List<Writable> sized = new DetectionRecord(new Text("a.png"), new float[0], new int[0], 4, new boolean[0], 5, 5)
                .toWritables();
        sized.set(DetectionRecord.HEIGHT, new IntWritable(0));
        assertMessage(() -> DetectionRecord.parse(sized, where), where, "fields width and height");
        assertMessage(() -> DetectionRecord.parse(null, where), where, "null");
    }

    private static void assertMessage(Runnable parse, String... parts) {
        InvalidRecordException e = assertThrows(InvalidRecordException.class, parse::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention '" + p + "'");
        }
    }
}
