package org.retinanet4j.boxes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import org.junit.jupiter.api.Test;

/** The growable box table keeps every column of every row, in order, through growth, merging and serialisation. */
class BoxTableTest {

    private static final int CROWD = 1;
    private static final int DIFFICULT = 2;

    /** Row r: image 1000 + r / 3, label r % 7, box (r, r + 0.25, r + 0.5, r + 0.75), value r / 8, flags r % 4. */
    private static BoxTable rows(int n) {
        BoxTable t = new BoxTable(1);
        for (int r = 0; r < n; r++) {
            assertEquals(r, t.add(1000 + r / 3, r % 7, r, r + 0.25, r + 0.5, r + 0.75, r / 8.0, r % 4));
        }
        return t;
    }

    private static void assertRow(BoxTable t, int row, int r) {
        assertEquals(1000 + r / 3, t.image(row), "image of row " + row);
        assertEquals(r % 7, t.label(row), "label of row " + row);
        for (int j = 0; j < 4; j++) {
            assertEquals(r + 0.25 * j, t.box(row, j), 0.0, "coordinate " + j + " of row " + row);
            assertEquals(r + 0.25 * j, t.boxArray()[4 * row + j], 0.0, "boxArray at row " + row);
        }
        assertEquals(r / 8.0, t.value(row), 0.0, "value of row " + row);
        assertEquals(r / 8.0, t.valueArray()[row], 0.0, "valueArray at row " + row);
        assertEquals(r % 4, t.flags(row), "flags of row " + row);
        assertEquals((r & CROWD) != 0, t.has(row, CROWD));
        assertEquals((r & DIFFICULT) != 0, t.has(row, DIFFICULT));
        assertEquals(r % 4 == 3, t.has(row, CROWD | DIFFICULT));
    }

    @Test
    void rowsSurviveGrowthInOrder() {
        BoxTable t = rows(100); // from capacity 1: seven doublings
        assertEquals(100, t.size());
        for (int r = 0; r < 100; r++) {
            assertRow(t, r, r);
        }
    }

    @Test
    void addAllAppendsTheOtherTableAfterThisOne() {
        BoxTable t = rows(5);
        t.addAll(rows(40));
        assertEquals(45, t.size());
        for (int r = 0; r < 5; r++) {
            assertRow(t, r, r);
        }
        for (int r = 0; r < 40; r++) {
            assertRow(t, 5 + r, r);
        }
    }

    @Test
    void trimClearAndJavaSerialisationKeepTheRows() throws Exception {
        BoxTable t = rows(33);
        t.trim();
        assertEquals(33, t.boxArray().length / 4, "trim leaves no spare capacity");
        assertEquals(33, t.valueArray().length);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(t);
        }
        BoxTable back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (BoxTable) in.readObject();
        }
        assertEquals(33, back.size());
        for (int r = 0; r < 33; r++) {
            assertRow(back, r, r);
        }
        back.add(7, 1, 0, 0, 1, 1, 0.5, 0); // a trimmed table still grows
        assertEquals(34, back.size());
        back.clear();
        assertEquals(0, back.size());
        assertFalse(back.add(1, 2, 3, 4, 5, 6, 7, CROWD) != 0);
        assertTrue(back.has(0, CROWD));
    }
}
