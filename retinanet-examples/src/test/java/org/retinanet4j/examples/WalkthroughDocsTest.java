package org.retinanet4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docs/torchvision-walkthroughs.md shows exactly the code of {@link TorchvisionWalkthrough} (which the other tests
 * run): every {@code // snippet:NAME} region of the class appears, dedented, as the java block after the doc's
 * {@code <!-- snippet:NAME ... -->} marker, and the doc has no snippet the code lacks.
 */
class WalkthroughDocsTest {

    private static final Pattern CODE = Pattern.compile("\\n([ \\t]*)// snippet:([\\w-]+)\\n(.*?)\\n[ \\t]*// end-snippet",
            Pattern.DOTALL);
    private static final Pattern DOC = Pattern.compile("<!-- snippet:([\\w-]+)[^>]*-->\\n```java\\n(.*?)\\n```",
            Pattern.DOTALL);

    private static Path root() {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("docs"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "project root with docs/ not found");
        return dir;
    }

    static Map<String, String> codeSnippets(String source) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = CODE.matcher(source);
        while (m.find()) {
            String indent = m.group(1);
            StringBuilder body = new StringBuilder();
            for (String line : m.group(3).split("\n", -1)) {
                body.append(line.startsWith(indent) ? line.substring(indent.length()) : line.strip()).append('\n');
            }
            out.put(m.group(2), body.toString().stripTrailing());
        }
        return out;
    }

    @Test
    void docsShowTheWalkthroughCodeVerbatim() throws IOException {
        Path root = root();
        String source = Files.readString(root.resolve(
                "retinanet-examples/src/main/java/org/retinanet4j/examples/TorchvisionWalkthrough.java"));
        String doc = Files.readString(root.resolve("docs/torchvision-walkthroughs.md"));
        Map<String, String> code = codeSnippets(source);
        assertFalse(code.isEmpty(), "no snippets found in TorchvisionWalkthrough.java");
        Map<String, String> shown = new LinkedHashMap<>();
        Matcher m = DOC.matcher(doc);
        while (m.find()) {
            shown.put(m.group(1), m.group(2).stripTrailing());
        }
        assertEquals(code.keySet(), shown.keySet(), "snippet names in the code vs docs/torchvision-walkthroughs.md");
        for (Map.Entry<String, String> e : code.entrySet()) {
            assertEquals(e.getValue(), shown.get(e.getKey()), "docs/torchvision-walkthroughs.md snippet '" + e.getKey()
                    + "' differs from TorchvisionWalkthrough.java: copy the code between its markers into the doc");
        }
    }
}
