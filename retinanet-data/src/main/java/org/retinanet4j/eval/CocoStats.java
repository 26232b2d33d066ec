package org.retinanet4j.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The 12 COCO summary statistics in pycocotools' order ({@code COCOeval.stats}); -1 where there was nothing
 * to average (no ground truth in that setting).
 */
public record CocoStats(double ap, double ap50, double ap75, double apSmall, double apMedium, double apLarge,
                        double ar1, double ar10, double ar100, double arSmall, double arMedium, double arLarge) {

    /** Names used by {@code --json} and {@link #asMap()}, in pycocotools' order. */
    public static final String[] NAMES =
            {"AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"};

    static CocoStats of(double[] v) {
        return new CocoStats(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
    }

    /** The values in pycocotools' order. */
    public double[] toArray() {
        return new double[] {ap, ap50, ap75, apSmall, apMedium, apLarge, ar1, ar10, ar100, arSmall, arMedium,
                arLarge};
    }

    /** Name to value, in pycocotools' order. */
    public Map<String, Double> asMap() {
        double[] v = toArray();
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < v.length; i++) {
            m.put(NAMES[i], v[i]);
        }
        return m;
    }

    /** The value of a statistic by its name (AP, AP50, ..., ARl). */
    public double get(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return toArray()[i];
            }
        }
        throw new IllegalArgumentException("unknown COCO statistic '" + name + "'; known: "
                + String.join(", ", NAMES));
    }
}
