package org.retinanet4j.notebook;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

/**
 * Whether a notebook's stored outputs are what running it gives now: per code cell the same outputs in the same
 * order, the same text (numbers equal within a relative tolerance, the notebook's
 * {@code metadata.retinanet4j.output_tolerance}, default 0: exact) and pictures of the same size. Pixels are not
 * compared (fonts differ between machines), nor is standard error (log lines carry times).
 * <p>
 * A notebook with a tolerance holds numbers from training, which reproduce on the processor they came from
 * ({@code metadata.retinanet4j.executed_on}, written when it is executed) but not on another kind. Executed on
 * another kind, its text is not compared: only the outputs' kinds and counts and the pictures' sizes; the checks
 * in its own cells still run.
 */
public final class StoredOutputCheck {

    /** Notebook setting: relative tolerance for numbers in text outputs. */
    public static final String TOLERANCE_SETTING = "output_tolerance";

    /** Notebook setting: the processor the stored outputs were executed on ({@code CpuModel}). */
    public static final String EXECUTED_ON_SETTING = "executed_on";

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");

    private StoredOutputCheck() {
    }

    /** The differences between {@code stored} and {@code fresh} (the same notebook executed); empty if none. */
    public static List<String> differences(Notebook stored, Notebook fresh) {
        double tolerance = stored.setting(TOLERANCE_SETTING).asDouble(0);
        String storedOn = stored.setting(EXECUTED_ON_SETTING).asText("");
        String freshOn = fresh.setting(EXECUTED_ON_SETTING).asText("");
        boolean compareText = tolerance == 0 || storedOn.isEmpty() || storedOn.equals(freshOn);
        List<String> problems = new ArrayList<>();
        List<NotebookCell> a = stored.codeCells();
        List<NotebookCell> b = fresh.codeCells();
        if (a.size() != b.size()) {
            problems.add(a.size() + " code cells stored, " + b.size() + " executed");
            return problems;
        }
        for (int i = 0; i < a.size(); i++) {
            compareCell(a.get(i), b.get(i), i + 1, tolerance, compareText, problems);
        }
        return problems;
    }

    private static void compareCell(NotebookCell stored, NotebookCell fresh, int count, double tolerance,
                                    boolean compareText, List<String> problems) {
        String where = "cell " + stored.number() + " (In [" + count + "]): ";
        List<CellOutput> s = comparable(stored.outputs());
        List<CellOutput> f = comparable(fresh.outputs());
        if (s.size() != f.size()) {
            problems.add(where + s.size() + " outputs stored (" + kinds(s) + "), " + f.size() + " now (" + kinds(f)
                    + ")");
            return;
        }
        for (int j = 0; j < s.size(); j++) {
            CellOutput x = s.get(j);
            CellOutput y = f.get(j);
            String which = where + "output " + (j + 1) + ": ";
            if (!x.describe().equals(y.describe())) {
                problems.add(which + x.describe() + " stored, " + y.describe() + " now");
            } else if (x.isImage()) {
                String sx = size(x.data().get(CellOutput.IMAGE_PNG));
                String sy = size(y.data().get(CellOutput.IMAGE_PNG));
                if (!sx.equals(sy)) {
                    problems.add(which + "picture of " + sx + " stored, " + sy + " now");
                }
            } else if (compareText) {
                String tx = x.type() == CellOutput.Type.STREAM ? x.text() : x.data().get(CellOutput.TEXT_PLAIN);
                String ty = y.type() == CellOutput.Type.STREAM ? y.text() : y.data().get(CellOutput.TEXT_PLAIN);
                String diff = textDifference(tx, ty, tolerance);
                if (diff != null) {
                    problems.add(which + diff);
                }
            }
        }
    }

    private static List<CellOutput> comparable(List<CellOutput> outputs) {
        return outputs.stream().filter(o -> !(o.type() == CellOutput.Type.STREAM && "stderr".equals(o.name())))
                .toList();
    }

    private static String kinds(List<CellOutput> outputs) {
        return String.join(", ", outputs.stream().map(CellOutput::describe).toList());
    }

    /** Null when equal: the same words, and numbers equal within {@code tolerance} relative. */
    static String textDifference(String stored, String fresh, double tolerance) {
        String[] a = stored.split("\n", -1);
        String[] b = fresh.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String la = i < a.length ? a[i] : "";
            String lb = i < b.length ? b[i] : "";
            if (!sameLine(la, lb, tolerance)) {
                return "line " + (i + 1) + " stored \"" + la + "\", now \"" + lb + "\"";
            }
        }
        return null;
    }

    private static boolean sameLine(String a, String b, double tolerance) {
        if (a.equals(b)) {
            return true;
        }
        if (tolerance <= 0) {
            return false;
        }
        if (!NUMBER.matcher(a).replaceAll("#").equals(NUMBER.matcher(b).replaceAll("#"))) {
            return false;
        }
        Matcher ma = NUMBER.matcher(a);
        Matcher mb = NUMBER.matcher(b);
        while (ma.find() && mb.find()) {
            double x = Double.parseDouble(ma.group());
            double y = Double.parseDouble(mb.group());
            if (Math.abs(x - y) > tolerance * Math.max(Math.abs(x), Math.abs(y))) {
                return false;
            }
        }
        return true;
    }

    private static String size(String base64) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getMimeDecoder().decode(base64)));
            return img == null ? "an unreadable picture" : img.getWidth() + "x" + img.getHeight();
        } catch (IOException | IllegalArgumentException e) {
            return "an unreadable picture";
        }
    }
}
