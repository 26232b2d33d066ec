package org.retinanet4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two sets of system properties a benchmark switches between every few steps (or runs) in one process, timing each step
 * under the set that was in force, so that both see the same machine: on a shared machine whose speed drifts by
 * 10-30% within minutes, runs one after the other compare the machine as much as the settings. Only settings read
 * on every call (such as {@code retinanet.onednn}) can be compared this way.
 *
 * <pre>RETINANET_JAVA_OPTS='-Dretinanet.bench.alternate=retinanet.onednn=false;retinanet.onednn=true'</pre>
 * (the two sets separated by {@code ;}, properties within a set by {@code ,}).
 */
final class AlternatingSettings {
    static final String PROPERTY = "retinanet.bench.alternate";
    private final int stepsPerTurn;
    private final List<Map<String, String>> sides;
    private final List<List<Double>> times = List.of(new ArrayList<>(), new ArrayList<>());
    private int side;
    private int stepsThisTurn;

    private AlternatingSettings(List<Map<String, String>> sides, int stepsPerTurn) {
        this.sides = sides;
        this.stepsPerTurn = stepsPerTurn;
        apply(0);
    }

    /**
     * The settings named by {@value #PROPERTY}, applied from the first set, switched every {@code stepsPerTurn}
     * timed steps; null when the property is not set.
     */
    static AlternatingSettings fromSystemProperty(int stepsPerTurn) {
        String spec = System.getProperty(PROPERTY);
        return spec == null || spec.isBlank() ? null : parse(spec, stepsPerTurn);
    }

    static AlternatingSettings parse(String spec, int stepsPerTurn) {
        String[] halves = spec.split(";", -1);
        if (halves.length != 2) {
            throw new IllegalArgumentException(PROPERTY + " needs two sets separated by ';', got '" + spec + "'");
        }
        List<Map<String, String>> sides = new ArrayList<>();
        for (String half : halves) {
            Map<String, String> props = new LinkedHashMap<>();
            for (String kv : half.split(",")) {
                if (kv.isBlank()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(PROPERTY + ": '" + kv + "' is not name=value");
                }
                props.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
            sides.add(props);
        }
        return new AlternatingSettings(sides, stepsPerTurn);
    }

    /** Records a timed step under the set in force and switches sets every {@code stepsPerTurn} steps. */
    void stepTimed(double millis) {
        times.get(side).add(millis);
        if (++stepsThisTurn == stepsPerTurn) {
            stepsThisTurn = 0;
            apply(1 - side);
        }
    }

    /** One line per set: its properties, the median and fastest step, and how many steps it timed. */
    String report() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            List<Double> t = new ArrayList<>(times.get(i));
            t.sort(null);
            out.append(String.format(Locale.ROOT, "set %s %s: median %.1f ms, min %.1f ms over %d steps%n",
                    i == 0 ? "A" : "B", sides.get(i), t.isEmpty() ? Double.NaN : t.get(t.size() / 2),
                    t.isEmpty() ? Double.NaN : t.get(0), t.size()));
        }
        return out.toString();
    }

    /** Puts set {@code which} (0 = A, 1 = B) in force, for a benchmark that alternates on its own. */
    void apply(int which) {
        side = which;
        sides.get(which).forEach(System::setProperty);
    }

    /** "A {name=value, ...}" or "B {...}". */
    String name(int which) {
        return (which == 0 ? "A " : "B ") + sides.get(which);
    }
}
