package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Bad results and ground-truth files fail with one message naming the file, the record and the field. */
class CocoEvalBadInputTest {
    private static final CocoGroundTruth GT = CocoGroundTruth.builder().addImage(1).addImage(2)
            .addCategory(1, "a").addAnnotation(1, 1, 0, 0, 10, 10, 100, false).build();

    private static CocoDetections read(String json) throws IOException {
        return CocoResultsReader.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "dt.json", GT);
    }

    private static String error(String json) {
        return assertThrows(IllegalArgumentException.class, () -> read(json)).getMessage();
    }

    private static String rec(String imageId, String bbox, String score) {
        return "{\"image_id\":" + imageId + ",\"category_id\":1,\"bbox\":" + bbox + ",\"score\":" + score + "}";
    }

    @Test
    void validFileIsRead() throws IOException {
        CocoDetections d = read("[" + rec("1", "[1,2,3,4]", "0.5") + "," + rec("2", "[0,0,0,0]", "1")
                + "]");
        assertEquals(2, d.size());
        assertEquals(4.0, d.box(0, 3), 0.0);
        assertEquals(2L, d.imageId(1));
    }

    @Test
    void aFileThatIsNotAnArray() {
        String m = error("{\"annotations\": []}");
        assertTrue(m.contains("dt.json") && m.contains("must be a JSON array"), m);
    }

    @Test
    void anImageThatTheGroundTruthLacksNamesTheRecord() {
        String m = error("[" + rec("1", "[1,2,3,4]", "0.5") + "," + rec("7", "[1,2,3,4]", "0.5") + "]");
        assertTrue(m.contains("detection #1") && m.contains("image_id") && m.contains("7"), m);
    }

    @Test
    void negativeSizes() {
        String m = error("[" + rec("1", "[1,2,-3,4]", "0.5") + "]");
        assertTrue(m.contains("detection #0") && m.contains("bbox") && m.contains("negative"), m);
    }

    @Test
    void nanScore() {
        String m = error("[" + rec("1", "[1,2,3,4]", "0.5") + "," + rec("1", "[1,2,3,4]", "NaN") + "]");
        assertTrue(m.contains("detection #1") && m.contains("score") && m.contains("NaN"), m);
    }

    @Test
    void missingOrMistypedFields() {
        assertTrue(error("[{\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3,4]}]").contains("'score' is missing"));
        assertTrue(error("[" + rec("1", "[1,2,3]", "0.5") + "]").contains("has 3 values"));
        assertTrue(error("[" + rec("\"1\"", "[1,2,3,4]", "0.5") + "]").contains("'image_id' is a string"));
        assertTrue(error("[1]").contains("detection #0 is a number, not an object"));
        assertTrue(error("[" + rec("1", "[1,2,3,4]", "0.5")).contains("not valid JSON"));
    }

    @Test
    void detectionsOfUnknownCategoriesAreLeftOutAndCounted() throws IOException {
        CocoDetections d = read("[" + rec("1", "[0,0,10,10]", "0.9") + ","
                + "{\"image_id\":1,\"category_id\":99,\"bbox\":[0,0,10,10],\"score\":0.99}]");
        CocoEvalResult r = new CocoEvaluator().evaluate(GT, d);
        assertEquals(1, r.unknownCategoryDetections());
        assertEquals(1.0, r.stats().ap(), 1e-12); // the category-99 detection is not a false positive
    }

    @Test
    void evaluatorRejectsDetectionsOfUnknownImagesToo() {
        CocoDetections d = new CocoDetections().add(1, 1, 0, 0, 1, 1, 0.5).add(3, 1, 0, 0, 1, 1, 0.5);
        String m = assertThrows(IllegalArgumentException.class, () -> new CocoEvaluator().evaluate(GT, d))
                .getMessage();
        assertTrue(m.contains("detection #1") && m.contains("image_id 3"), m);
    }

    @Test
    void detectionsRejectNaNScoresAndNegativeSizesWhenBuiltInCode() {
        CocoDetections d = new CocoDetections();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.add(1, 1, 0, 0, 1, 1, Double.NaN))
                .getMessage().contains("detection #0"));
        assertThrows(IllegalArgumentException.class, () -> d.add(1, 1, 0, 0, -1, 1, 0.5));
    }

    @Test
    void groundTruthErrorsNameTheAnnotation() {
        String gt = "{\"images\":[{\"id\":1}],\"categories\":[{\"id\":1,\"name\":\"a\"}],\"annotations\":["
                + "{\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,1,1],\"area\":1},"
                + "{\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,1,1]}]}";
        String m = assertThrows(IllegalArgumentException.class, () -> CocoGroundTruthReader.read(
                new ByteArrayInputStream(gt.getBytes(StandardCharsets.UTF_8)), "gt.json")).getMessage();
        assertTrue(m.contains("gt.json") && m.contains("annotation #1") && m.contains("'area'"), m);
    }
}
