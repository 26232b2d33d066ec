package org.retinanet4j.data.coco;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.data.DatasetFormatException;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.OutOfImagePolicy;
import org.retinanet4j.data.SharedData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CocoInstancesReaderTest {

    @TempDir
    Path tmp;

    private static final String CATS = "\"categories\":[{\"id\":90,\"name\":\"toothbrush\"},{\"id\":1,\"name\":\"person\"}]";

    private DetectionDataset read(String json) throws IOException {
        Path f = tmp.resolve("instances.json");
        Files.writeString(f, json);
        return new CocoInstancesReader().read(f, tmp);
    }

    private String readError(String json) {
        return assertThrows(DatasetFormatException.class, () -> read(json)).getMessage();
    }

    @Test
    void anyOrderSixtyFourBitIdsCrowdAndNonContiguousCategories() throws IOException {
        DetectionDataset d = read("{\"annotations\":["
                + "{\"id\":5000000000,\"image_id\":20180000002,\"category_id\":90,\"bbox\":[10,20,30,40],\"iscrowd\":1,\"area\":12.5},"
                + "{\"id\":7,\"image_id\":20180000001,\"category_id\":1,\"bbox\":[1.5,2.5,3,4],\"segmentation\":[[1,2,3,4]]}],"
                + CATS + ",\"info\":{\"x\":[1,2]},"
                + "\"images\":[{\"id\":20180000001,\"file_name\":\"a.jpg\",\"width\":100,\"height\":80},"
                + "{\"id\":20180000002,\"file_name\":\"b.jpg\",\"width\":64,\"height\":64},"
                + "{\"id\":3,\"file_name\":\"c.jpg\",\"width\":64,\"height\":64}]}");
        assertEquals(3, d.numImages());
        assertEquals(2, d.numBoxes());
        assertEquals(20180000001L, d.imageId(0));
        assertEquals(1, d.indexOfImageId(20180000002L));
        assertEquals(-1, d.indexOfImageId(42));
        // class indices in ascending category id: person(1) -> 0, toothbrush(90) -> 1
        assertEquals(1L, d.categories().categoryId(0));
        assertEquals("toothbrush", d.categories().name(1));
        assertEquals(1, d.numBoxes(0));
        int b0 = d.firstBox(0);
        assertEquals(7L, d.annotationId(b0));
        assertEquals(0, d.classIndex(b0));
        assertArrayEquals(new float[] {1.5f, 2.5f, 4.5f, 6.5f}, d.boxesOf(0));
        assertEquals(12f, d.area(b0), 1e-6f);            // no area field: box area
        assertFalse(d.isCrowd(b0));
        int b1 = d.firstBox(1);
        assertEquals(5000000000L, d.annotationId(b1));
        assertEquals(90L, d.categoryId(b1));
        assertTrue(d.isCrowd(b1));
        assertTrue(d.isIgnored(b1));
        assertEquals(12.5f, d.area(b1));
        assertEquals(0, d.numBoxes(2));
        assertEquals(tmp.resolve("c.jpg"), d.imagePath(2));
    }

    @Test
    void outOfImageBoxIsClippedAndRawKept() throws IOException {
        DetectionDataset d = read("{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":50,\"height\":40}],"
                + "\"annotations\":[{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[-5,30,60,20]}]," + CATS + "}");
        assertArrayEquals(new float[] {0, 30, 50, 40}, d.boxesOf(0));
        assertEquals(-5f, d.rawXywh(0, 0));
        assertEquals(60f, d.rawXywh(0, 2));
        Path f = tmp.resolve("instances.json");
        String msg = assertThrows(DatasetFormatException.class,
                () -> new CocoInstancesReader(OutOfImagePolicy.REJECT).read(f, tmp)).getMessage();
        assertTrue(msg.contains("annotation id 1") && msg.contains("bbox") && msg.contains("outside the 50x40 image"), msg);
    }

    @Test
    void malformedJsonNamesFileLineAndColumn() {
        String msg = readError("{\"images\":[\n{\"id\":1,\"file_name\":\"a.jpg\",\n\"width\":50 \"height\":40}]}");
        assertTrue(msg.contains("instances.json") && msg.contains("malformed JSON") && msg.contains("line 3"), msg);
        assertTrue(msg.contains("column"), msg);
    }

    @Test
    void negativeBoxWidthNamesAnnotation() {
        String msg = readError("{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":50,\"height\":40}],"
                + "\"annotations\":[{\"id\":17,\"image_id\":1,\"category_id\":1,\"bbox\":[5,5,-3,4]}]," + CATS + "}");
        assertTrue(msg.contains("instances.json") && msg.contains("annotation id 17") && msg.contains("bbox")
                && msg.contains("negative"), msg);
    }

    @Test
    void negativeImageSizeNamesImage() {
        String msg = readError("{\"images\":[{\"id\":4,\"file_name\":\"a.jpg\",\"width\":-50,\"height\":40}],"
                + "\"annotations\":[]," + CATS + "}");
        assertTrue(msg.contains("image id 4") && msg.contains("width"), msg);
    }

    @Test
    void unknownCategoryAndUnknownImage() {
        String img = "{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":50,\"height\":40}],";
        String msg = readError(img + "\"annotations\":[{\"id\":3,\"image_id\":1,\"category_id\":2,\"bbox\":[1,1,2,2]}],"
                + CATS + "}");
        assertTrue(msg.contains("annotation id 3") && msg.contains("category_id 2"), msg);
        msg = readError(img + "\"annotations\":[{\"id\":3,\"image_id\":9,\"category_id\":1,\"bbox\":[1,1,2,2]}],"
                + CATS + "}");
        assertTrue(msg.contains("annotation id 3") && msg.contains("image_id 9"), msg);
    }

    @Test
    void duplicateIds() {
        String msg = readError("{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":50,\"height\":40},"
                + "{\"id\":1,\"file_name\":\"b.jpg\",\"width\":50,\"height\":40}],\"annotations\":[]," + CATS + "}");
        assertTrue(msg.contains("duplicate image id 1") && msg.contains("#0") && msg.contains("#1"), msg);
        msg = readError("{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":50,\"height\":40}],\"annotations\":["
                + "{\"id\":8,\"image_id\":1,\"category_id\":1,\"bbox\":[1,1,2,2]},"
                + "{\"id\":8,\"image_id\":1,\"category_id\":1,\"bbox\":[1,1,2,2]}]," + CATS + "}");
        assertTrue(msg.contains("duplicate annotation id 8"), msg);
        msg = readError("{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":50,\"height\":40}],\"annotations\":[],"
                + "\"categories\":[{\"id\":1,\"name\":\"a\"},{\"id\":1,\"name\":\"b\"}]}");
        assertTrue(msg.contains("duplicate category id 1"), msg);
    }

    @Test
    void emptyDatasetAndMissingFields() {
        String msg = readError("{\"images\":[],\"annotations\":[]," + CATS + "}");
        assertTrue(msg.contains("empty dataset"), msg);
        msg = readError("{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"height\":40}],\"annotations\":[]," + CATS + "}");
        assertTrue(msg.contains("images record #0") && msg.contains("missing field width"), msg);
        msg = readError("{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":50,\"height\":40}],"
                + "\"annotations\":[{\"id\":3,\"image_id\":1,\"category_id\":1}]," + CATS + "}");
        assertTrue(msg.contains("annotations record #0 (id 3)") && msg.contains("missing field bbox"), msg);
        msg = readError("{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":50,\"height\":40}],\"annotations\":[]}");
        assertTrue(msg.contains("missing field categories"), msg);
        msg = readError("{\"images\":[{\"id\":\"x1\",\"file_name\":\"a.jpg\",\"width\":50,\"height\":40}],\"annotations\":[]," + CATS + "}");
        assertTrue(msg.contains("field id must be an integer"), msg);
    }

    @Test
    void imageListWithoutAnnotationsSection() throws IOException {
        DetectionDataset d = read("{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":50,\"height\":40}]," + CATS + "}");
        assertEquals(1, d.numImages());
        assertEquals(0, d.numBoxes());
    }

    @Test
    void writerRoundTrip() throws IOException {
        DetectionDataset d = read("{\"images\":[{\"id\":20180000001,\"file_name\":\"a.jpg\",\"width\":50,\"height\":40}],"
                + "\"annotations\":[{\"id\":2,\"image_id\":20180000001,\"category_id\":90,\"bbox\":[1.25,2,3,4],\"area\":7,\"iscrowd\":1}],"
                + CATS + "}");
        Path out = tmp.resolve("copy.json");
        new CocoInstancesWriter().write(d, out);
        DetectionDataset e = new CocoInstancesReader().read(out, tmp);
        assertEquals(d.imageId(0), e.imageId(0));
        assertArrayEquals(d.boxesOf(0), e.boxesOf(0));
        assertEquals(d.area(0), e.area(0));
        assertTrue(e.isCrowd(0));
        assertEquals(d.categories(), e.categories());
    }

    @Test
    void readsSharedVocSampleInCocoForm() throws IOException {
        Path voc = SharedData.vocSample();
        DetectionDataset d = new CocoInstancesReader().read(voc.resolve("instances.json"), voc.resolve("JPEGImages"));
        assertEquals(100, d.numImages());
        assertEquals(273, d.numBoxes());
        assertEquals(20, d.categories().size());
        assertEquals(20180000001L, d.imageId(0));
        assertArrayEquals(new float[] {174, 101, 349, 351}, d.boxesOf(0));
        assertTrue(Files.isRegularFile(d.imagePath(0)));
    }
}
