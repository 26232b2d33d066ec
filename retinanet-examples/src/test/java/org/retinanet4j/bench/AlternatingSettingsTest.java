package org.retinanet4j.bench;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark's alternation: sets applied in turn, five steps each, every step timed under the set in force. */
class AlternatingSettingsTest {

    @AfterEach
    void clear() {
        System.clearProperty("bench.test.a");
        System.clearProperty("bench.test.b");
    }

    @Test
    void switchesEveryFiveStepsAndTimesEachStepUnderItsSet() {
        AlternatingSettings s = AlternatingSettings.parse("bench.test.a=1,bench.test.b=x;bench.test.a=2", 5);
        assertEquals("1", System.getProperty("bench.test.a"), "the first set applies at once");
        for (int i = 0; i < 5; i++) {
            assertEquals("1", System.getProperty("bench.test.a"));
            s.stepTimed(10 + i);     // set A: 10..14
        }
        assertEquals("2", System.getProperty("bench.test.a"), "after five steps the second set applies");
        assertEquals("x", System.getProperty("bench.test.b"), "properties the second set leaves alone stay");
        for (int i = 0; i < 5; i++) {
            s.stepTimed(100 + i);    // set B: 100..104
        }
        assertEquals("1", System.getProperty("bench.test.a"), "and then the first again");
        String report = s.report();
        assertTrue(report.contains("set A {bench.test.a=1, bench.test.b=x}: median 12.0 ms, min 10.0 ms over 5 steps"), report);
        assertTrue(report.contains("set B {bench.test.a=2}: median 102.0 ms, min 100.0 ms over 5 steps"), report);
    }

    @Test
    void malformedSpecificationsAreRefusedWithTheReason() {
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> AlternatingSettings.parse("bench.test.a=1", 5));
        assertTrue(one.getMessage().contains("two sets"), one.getMessage());
        IllegalArgumentException kv = assertThrows(IllegalArgumentException.class,
                () -> AlternatingSettings.parse("bench.test.a;bench.test.a=2", 5));
        assertTrue(kv.getMessage().contains("not name=value"), kv.getMessage());
    }
}
