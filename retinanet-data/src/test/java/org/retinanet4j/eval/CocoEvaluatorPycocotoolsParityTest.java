package org.retinanet4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every fixture case against pycocotools' numbers (tools/make_coco_eval_fixtures.py runs the unmodified
 * cocoeval.py): the 12 statistics and the per-category AP agree to 1e-12, i.e. up to summation rounding.
 */
class CocoEvaluatorPycocotoolsParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"crowd", "empty-images", "over-100", "duplicates", "non-contiguous-ids", "area-bounds",
            "random-stress"})
    void statisticsAndPerCategoryApEqualPycocotools(String name) {
        CocoEvalResult result = CocoFixtures.evaluate(name);
        Map<String, Map<String, Double>> expected = CocoFixtures.expected(name);
        Map<String, Double> stats = result.stats().asMap();
        expected.get("stats").forEach((k, v) -> assertEquals(v, stats.get(k), 1e-12, name + " " + k));
        Map<String, Double> perCat = expected.get("perCategoryAP");
        assertEquals(perCat.size(), result.numCategories(), "categories");
        for (int k = 0; k < result.numCategories(); k++) {
            String id = String.valueOf(result.categoryId(k));
            assertEquals(perCat.get(id), result.categoryAp(k), 1e-12, name + " category " + id);
        }
    }
}
