package org.retinanet4j.notebook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The processor a notebook was executed on, as one line ("AMD EPYC, family 26 model 2, avx512f"): training
 * numbers reproduce on the same kind of processor, not across kinds (other SIMD paths round differently).
 */
final class CpuModel {

    private CpuModel() {
    }

    /** This machine's processor; the JVM's os.arch where /proc/cpuinfo cannot be read. */
    static String current() {
        try {
            return describe(Files.readAllLines(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch", "unknown");
        }
    }

    /** The description of the first processor in {@code cpuinfo}'s lines. */
    static String describe(List<String> cpuinfo) {
        String name = field(cpuinfo, "model name");
        String family = field(cpuinfo, "cpu family");
        String model = field(cpuinfo, "model");
        String flags = " " + field(cpuinfo, "flags") + " ";
        String vector = flags.contains(" avx512f ") ? "avx512f" : flags.contains(" avx2 ") ? "avx2" : "no avx2";
        return String.format(Locale.ROOT, "%s, family %s model %s, %s", name.isEmpty() ? System.getProperty(
                "os.arch", "unknown") : name, family, model, vector);
    }

    private static String field(List<String> lines, String key) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
                return line.substring(colon + 1).strip();
            }
        }
        return "";
    }
}
