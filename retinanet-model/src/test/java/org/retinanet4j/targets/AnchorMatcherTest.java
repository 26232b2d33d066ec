package org.retinanet4j.targets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.retinanet4j.anchors.AnchorFixtures.floats;
import static org.retinanet4j.anchors.AnchorFixtures.integer;
import static org.retinanet4j.anchors.AnchorFixtures.list;
import static org.retinanet4j.anchors.AnchorFixtures.map;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorFixtures;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.boxes.BoxIou;

/**
 * AnchorMatcher against torchvision's Matcher(0.5, 0.4, allow_low_quality_matches=True)
 * (fixtures/anchors/matcher.json).
 */
class AnchorMatcherTest {

    static final Map<String, Object> FIXTURE = AnchorFixtures.load("matcher.json");
    static final int HEIGHT = integer(FIXTURE.get("height"));
    static final int WIDTH = integer(FIXTURE.get("width"));
    static final float[] ANCHORS = new AnchorGenerator(AnchorConfig.torchvisionDefault()).anchors(HEIGHT, WIDTH);

    private final AnchorMatcher matcher = new AnchorMatcher();

    static Map<String, Object> fixtureCase(String name) {
        for (Object c : list(FIXTURE.get("cases"))) {
            if (name.equals(map(c).get("name"))) {
                return map(c);
            }
        }
        throw new IllegalArgumentException("no matcher case " + name);
    }

    static int[] expectedMatches(Map<String, Object> kase) {
        int[] expected = new int[integer(kase.get("numAnchors"))];
        Arrays.fill(expected, AnchorMatcher.BACKGROUND);
        for (Object pair : list(kase.get("matches"))) {
            List<Object> p = list(pair);
            expected[integer(p.get(0))] = integer(p.get(1));
        }
        return expected;
    }

    @Test
    void fixtureAnchorsAreOurs() {
        assertEquals(FIXTURE.get("anchorsSha256"), AnchorFixtures.sha256(ANCHORS));
    }

    @Test
    void matchesEqualTorchvisionOnEveryCase() {
        for (String name : List.of("random", "ties", "tiny", "empty")) {
            Map<String, Object> kase = fixtureCase(name);
            int[] actual = matcher.match(ANCHORS, floats(kase.get("boxes")));
            assertArrayEquals(expectedMatches(kase), actual, "case " + name);
        }
    }

    @Test
    void tinyBoxIsMatchedOnlyThroughTheLowQualityRule() {
        float[] boxes = floats(fixtureCase("tiny").get("boxes"));
        float best = 0;
        for (int a = 0; a < ANCHORS.length / 4; a++) {
            best = Math.max(best, BoxIou.iou(boxes, 0, ANCHORS, a));
        }
        assertTrue(best < 0.4f, "fixture premise: best IoU " + best);
        int[] withRule = matcher.match(ANCHORS, boxes);
        int[] withoutRule = new AnchorMatcher(0.5f, 0.4f, false, 0.5f).match(ANCHORS, boxes);
        assertTrue(Arrays.stream(withRule).anyMatch(m -> m == 0), "low-quality rule must give box 0 an anchor");
        assertTrue(Arrays.stream(withoutRule).noneMatch(m -> m == 0), "without the rule box 0 has no anchor");
    }

    @Test
    void duplicateBoxesGoToTheLowerIndex() {
        int[] actual = matcher.match(ANCHORS, floats(fixtureCase("ties").get("boxes")));
        assertTrue(Arrays.stream(actual).anyMatch(m -> m == 0));
        assertTrue(Arrays.stream(actual).noneMatch(m -> m == 1), "box 1 duplicates box 0 and must never win");
    }

    @Test
    void crowdBoxesAreNeverPositiveAndIgnoreCoveredAnchors() {
        float[] boxes = {20, 20, 120, 120, 130, 40, 250, 180};
        boolean[] crowd = {false, true};
        int[] actual = matcher.match(ANCHORS, boxes, crowd);
        int[] regularOnly = matcher.match(ANCHORS, Arrays.copyOf(boxes, 4));
        int ignoredByCrowd = 0;
        for (int a = 0; a < actual.length; a++) {
            assertTrue(actual[a] != 1, "anchor " + a + " matched the crowd box");
            if (regularOnly[a] >= 0) {
                assertEquals(regularOnly[a], actual[a], "positives of regular boxes stay positive");
            } else if (actual[a] != regularOnly[a]) {
                assertEquals(AnchorMatcher.IGNORED, actual[a]);
                ignoredByCrowd++;
                // intersection over anchor area >= 0.5
                int p = a * 4;
                float w = Math.min(ANCHORS[p + 2], 250) - Math.max(ANCHORS[p], 130);
                float h = Math.min(ANCHORS[p + 3], 180) - Math.max(ANCHORS[p + 1], 40);
                float area = (ANCHORS[p + 2] - ANCHORS[p]) * (ANCHORS[p + 3] - ANCHORS[p + 1]);
                assertTrue(w * h >= 0.5f * area, "anchor " + a);
            }
        }
        assertTrue(ignoredByCrowd > 100, "crowd region should ignore many anchors, got " + ignoredByCrowd);
        // only crowd boxes: no positives at all
        int[] onlyCrowd = matcher.match(ANCHORS, Arrays.copyOfRange(boxes, 4, 8), new boolean[] {true});
        assertTrue(Arrays.stream(onlyCrowd).allMatch(m -> m < 0));
        assertTrue(Arrays.stream(onlyCrowd).anyMatch(m -> m == AnchorMatcher.IGNORED));
    }
}
