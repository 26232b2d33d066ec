package org.retinanet4j.notebook;

import java.util.Locale;
import java.util.Set;

/**
 * The Java kernels' (JJava, IJava) magics that add dependencies. The runner already has the project's class
 * path, so these lines are satisfied and left out; any other magic is an error, since the runner cannot do what
 * it would do in a kernel.
 */
final class KernelMagics {

    static final Set<String> DEPENDENCY_MAGICS = Set.of("maven", "addmavendependency", "addmavendependencies",
            "mavenrepo", "addmavenrepo", "jars", "classpath", "loadfrompom");

    private KernelMagics() {
    }

    /**
     * The cell's code with dependency magic lines blanked (so line numbers stay true), or an exception naming
     * the first other magic.
     */
    static String strip(String source) {
        String[] lines = source.split("\n", -1);
        StringBuilder out = new StringBuilder(source.length());
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.strip();
            if (trimmed.startsWith("%")) {
                String name = trimmed.replaceFirst("^%%?", "").split("\\s+", 2)[0];
                if (!DEPENDENCY_MAGICS.contains(name.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": " + trimmed.split("\\s+", 2)[0]
                            + " (only the dependency magics %maven, %jars, %classpath, %mavenRepo and %loadFromPOM "
                            + "are understood, and treated as already done)");
                }
                if (trimmed.startsWith("%%")) {
                    // a cell magic's body belongs to it: the whole cell is dependencies
                    return "\n".repeat(lines.length - 1);
                }
                line = "";
            }
            out.append(line);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }
}
