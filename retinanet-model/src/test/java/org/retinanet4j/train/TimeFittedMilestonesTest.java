package org.retinanet4j.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The milestones follow the projected length of a run that its time limit would stop early. */
class TimeFittedMilestonesTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aMachineFastEnoughKeepsTheConfiguredMilestones() {
        // 1,200 iterations at 4 per second fit in 600 s
        TimeFittedMilestones f = new TimeFittedMilestones(new int[]{960}, 1200, 600 * S);
        for (int it = 10; it <= 1200; it += 10) {
            assertNull(f.after(it, it * S / 4), "iteration " + it);
        }
        assertArrayEquals(new int[]{960}, f.current());
    }

    @Test
    void aSlowMachineDecaysAtTheSameShareOfTheIterationsItReaches() {
        // one iteration per second, 600 s: 600 iterations instead of 1,200, so 960 -> 480
        TimeFittedMilestones f = new TimeFittedMilestones(new int[]{960}, 1200, 600 * S);
        assertNull(f.after(10, 10 * S), "the first measured iteration only starts the clock");
        assertNull(f.after(40, 40 * S), "too few iterations measured");
        assertArrayEquals(new int[]{480}, f.after(60, 60 * S));
        assertEquals(600, f.projectedIterations());
        assertNull(f.after(100, 100 * S), "the projection has not changed");
    }

    @Test
    void theFirstStepsDoNotCountAndASpeedUpMovesTheMilestoneBack() {
        TimeFittedMilestones f = new TimeFittedMilestones(new int[]{960}, 1200, 600 * S);
        f.after(10, 100 * S); // 100 s of compilation and warm-up before iteration 10: not measured
        // then 1 iteration per second: 60 + 450 s left -> 510 iterations, milestone 0.8 * 510 = 408
        assertArrayEquals(new int[]{408}, f.after(60, 150 * S));
        // then 3 per second from 150 s on: (300 - 10) iterations in 200 s since the clock started
        int[] later = f.after(300, 300 * S);
        long projected = 300 + (long) Math.floor(290.0 / (200 * S) * (300 * S));
        assertEquals(projected, f.projectedIterations());
        assertArrayEquals(new int[]{(int) Math.round(960.0 * projected / 1200)}, later);
        // faster still (a projection beyond 1,200 iterations): back to the configured milestone, never beyond it
        assertArrayEquals(new int[]{960}, f.after(550, 310 * S));
    }

    @Test
    void aPassedMilestoneStaysAndOneProjectedIntoThePastAppliesFromTheNextStep() {
        TimeFittedMilestones f = new TimeFittedMilestones(new int[]{300, 960}, 1200, 600 * S);
        f.after(10, 0);
        // 10 iterations per 40 s from here: at iteration 350 (1,360 s) the deadline has passed; the milestone at 300
        // has been passed (its decay happened), the one at 960 falls to the current iteration
        assertArrayEquals(new int[]{300, 350}, f.after(350, 1360 * S));
        assertNull(f.after(400, 1560 * S), "both passed: nothing moves any more");
        assertArrayEquals(new int[]{300, 350}, f.current());
    }

    @Test
    void onlyTheMilestonesAheadMove() {
        TimeFittedMilestones f = new TimeFittedMilestones(new int[]{100, 960}, 1200, 600 * S);
        f.after(10, 10 * S);
        f.after(60, 60 * S); // 1 per second: 600 projected -> {50 would be past: 60, 480}
        assertArrayEquals(new int[]{60, 480}, f.current());
        // faster now: the passed milestone stays at 60, the other moves up
        int[] moved = f.after(200, 100 * S);
        assertEquals(60, moved[0]);
        assertEquals((int) Math.round(960.0 * Math.min(1.0, (200 + Math.floor(190.0 / 90 * 500)) / 1200)), moved[1]);
    }

    @Test
    void aResumedRunKeepsTheDecayItsCheckpointHadPassed() {
        // the first run moved 960 to 480 and stopped at 600; this run, fast enough for all 1,200 iterations in its
        // own time limit, would put a fresh milestone back at 960 and the rate back up from 600 to 960
        TimeFittedMilestones fresh = new TimeFittedMilestones(new int[]{960}, 1200, 600 * S);
        TimeFittedMilestones resumed = new TimeFittedMilestones(new int[]{960}, 1200, 600 * S, new int[]{480});
        for (int it = 600; it <= 1200; it += 10) {
            long now = (it - 600) * S / 4; // 4 per second from the resumed iteration
            fresh.after(it, now);
            assertNull(resumed.after(it, now), "iteration " + it);
        }
        assertArrayEquals(new int[]{960}, fresh.current(), "what a run that forgot the checkpoint's milestone does");
        assertArrayEquals(new int[]{480}, resumed.current(), "the passed milestone stays passed");
    }

    @Test
    void aResumedRunMovesTheMilestonesItHasNotPassed() {
        // the checkpoint at iteration 200 holds {100, 480}: 100 passed, 480 ahead; one iteration per second now,
        // 600 s left: 800 projected, so the second goes to 960 * 800 / 1200 = 640
        TimeFittedMilestones f = new TimeFittedMilestones(new int[]{100, 960}, 1200, 600 * S, new int[]{100, 480});
        assertArrayEquals(new int[]{100, 480}, f.current(), "the checkpoint's milestones are in force at the start");
        f.after(200, 0);
        assertArrayEquals(new int[]{100, 640}, f.after(250, 50 * S));
    }

    @Test
    void milestonesInForceMustMatchTheConfiguredOnes() {
        assertThrows(IllegalArgumentException.class,
                () -> new TimeFittedMilestones(new int[]{960}, 1200, 600 * S, new int[]{100, 480}));
    }
}
