package org.retinanet4j.notebook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Jupyter notebook file (nbformat 4) read and written with Jackson. Everything the project does not touch
 * (metadata, cell ids, attachments) is kept as it was; {@link #withOutputs} replaces only the outputs and
 * execution counts of the code cells. Files are written as Jupyter writes them (keys sorted, one-space indent,
 * multi-line strings as lists of lines), so executing an unchanged notebook again changes nothing.
 */
public final class Notebook {

    /** Key of this project's entries in notebook and cell metadata. */
    public static final String METADATA_KEY = "retinanet4j";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ObjectNode root;
    private final String sourceName;
    private final List<NotebookCell> cells;

    private Notebook(ObjectNode root, String sourceName) {
        this.root = root;
        this.sourceName = sourceName;
        this.cells = readCells(root, sourceName);
    }

    /** Reads and checks a notebook file; a malformed one gives an error naming the file, the cell and the field. */
    public static Notebook read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("notebook " + file + " does not exist or is not a file");
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses notebook JSON; {@code sourceName} names it in error messages. */
    public static Notebook parse(String json, String sourceName) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("notebook " + sourceName + " is not valid JSON: "
                    + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr(), e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("notebook " + sourceName + ": the top level is not a JSON object");
        }
        return new Notebook(object, sourceName);
    }

    /** A new notebook (nbformat 4.5, Java kernel) with these cells; their numbers are assigned here. */
    public static Notebook of(String name, List<NotebookCell> cells) {
        ObjectNode root = NODES.objectNode();
        root.put("nbformat", 4);
        root.put("nbformat_minor", 5);
        ObjectNode metadata = root.putObject("metadata");
        ObjectNode kernelspec = metadata.putObject("kernelspec");
        kernelspec.put("display_name", "Java");
        kernelspec.put("language", "java");
        kernelspec.put("name", "java");
        ObjectNode language = metadata.putObject("language_info");
        language.put("codemirror_mode", "java");
        language.put("file_extension", ".jshell");
        language.put("mimetype", "text/x-java-source");
        language.put("name", "java");
        language.put("pygments_lexer", "java");
        language.put("version", String.valueOf(Runtime.version().feature()));
        ArrayNode array = root.putArray("cells");
        int n = 0;
        for (NotebookCell cell : cells) {
            ObjectNode c = array.addObject();
            c.put("cell_type", cell.kind().json());
            c.put("id", "cell-" + ++n);
            ObjectNode cellMetadata = c.putObject("metadata");
            if (!cell.writes().isEmpty()) {
                ArrayNode writes = cellMetadata.putObject(METADATA_KEY).putArray("writes");
                cell.writes().forEach(writes::add);
            }
            c.set("source", lines(cell.source()));
            if (cell.isCode()) {
                c.putNull("execution_count");
                c.putArray("outputs");
            }
        }
        return new Notebook(root, name);
    }

    /** The name given when it was read (the file path) or created. */
    public String sourceName() {
        return sourceName;
    }

    public List<NotebookCell> cells() {
        return cells;
    }

    public List<NotebookCell> codeCells() {
        return cells.stream().filter(NotebookCell::isCode).toList();
    }

    /** This project's notebook-level setting {@code metadata.retinanet4j.<key>}, or a missing node. */
    public JsonNode setting(String key) {
        return root.path("metadata").path(METADATA_KEY).path(key);
    }

    /**
     * A copy with the outputs of the code cells replaced ({@code outputs} maps a cell number to its outputs) and
     * execution counts 1, 2, ... in the order the code cells ran; code cells not in the map get no outputs and no
     * count.
     */
    public Notebook withOutputs(Map<Integer, List<CellOutput>> outputs) {
        ObjectNode copy = root.deepCopy();
        ArrayNode array = (ArrayNode) copy.get("cells");
        int count = 0;
        for (NotebookCell cell : cells) {
            if (!cell.isCode()) {
                continue;
            }
            ObjectNode c = (ObjectNode) array.get(cell.number() - 1);
            List<CellOutput> cellOutputs = outputs.get(cell.number());
            ArrayNode out = NODES.arrayNode();
            if (cellOutputs == null) {
                c.putNull("execution_count");
            } else {
                c.put("execution_count", ++count);
                for (CellOutput o : cellOutputs) {
                    out.add(toJson(o, count));
                }
            }
            c.set("outputs", out);
        }
        return new Notebook(copy, sourceName);
    }

    /** A copy with the notebook-level setting {@code metadata.retinanet4j.<key>} set to {@code value}. */
    public Notebook withSetting(String key, String value) {
        ObjectNode copy = root.deepCopy();
        JsonNode metadata = copy.path("metadata");
        ObjectNode m = metadata instanceof ObjectNode o ? o : copy.putObject("metadata");
        JsonNode own = m.path(METADATA_KEY);
        (own instanceof ObjectNode o ? o : m.putObject(METADATA_KEY)).put(key, value);
        return new Notebook(copy, sourceName);
    }

    /** A copy of the whole JSON document. */
    public ObjectNode toJsonTree() {
        return root.deepCopy();
    }

    /** The file's text, as Jupyter writes it. */
    public String toJson() {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withObjectEmptySeparator("")
                        .withArrayEmptySeparator(""));
        DefaultIndenter indenter = new DefaultIndenter(" ", "\n");
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        try {
            return JSON.writer(printer).writeValueAsString(sorted(root)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write notebook " + sourceName, e);
        }
    }

    /** Writes the notebook through a temporary file, so an interrupted write leaves the old file intact. */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
            keepPermissions(file, tmp);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The temporary file gets the permissions of the file it replaces (or rw-r--r--), not its own 0600. */
    private static void keepPermissions(Path file, Path tmp) throws IOException {
        if (!Files.getFileStore(tmp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            return;
        }
        Files.setPosixFilePermissions(tmp, Files.exists(file) ? Files.getPosixFilePermissions(file)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static List<NotebookCell> readCells(ObjectNode root, String name) {
        JsonNode format = root.get("nbformat");
        if (format == null || !format.isInt() || format.intValue() != 4) {
            throw new IllegalArgumentException("notebook " + name + ": field 'nbformat' must be 4 (nbformat 4), got "
                    + format);
        }
        JsonNode array = root.get("cells");
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("notebook " + name + ": field 'cells' must be a list");
        }
        List<NotebookCell> cells = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            cells.add(readCell(array.get(i), i + 1, name));
        }
        return List.copyOf(cells);
    }

    private static NotebookCell readCell(JsonNode c, int number, String name) {
        String where = "notebook " + name + ": cell " + number;
        if (!c.isObject()) {
            throw new IllegalArgumentException(where + " is not a JSON object");
        }
        NotebookCell.Kind kind = switch (c.path("cell_type").asText("")) {
            case "code" -> NotebookCell.Kind.CODE;
            case "markdown" -> NotebookCell.Kind.MARKDOWN;
            case "raw" -> NotebookCell.Kind.RAW;
            default -> throw new IllegalArgumentException(where + ": field 'cell_type' must be code, markdown or raw, "
                    + "got " + c.get("cell_type"));
        };
        String source = text(c.get("source"), where + ": field 'source'");
        List<String> writes = new ArrayList<>();
        JsonNode w = c.path("metadata").path(METADATA_KEY).path("writes");
        if (!w.isMissingNode()) {
            if (!w.isArray()) {
                throw new IllegalArgumentException(where + ": field 'metadata." + METADATA_KEY
                        + ".writes' must be a list of file names");
            }
            w.forEach(f -> writes.add(f.asText()));
        }
        List<CellOutput> outputs = new ArrayList<>();
        JsonNode out = c.path("outputs");
        for (int i = 0; i < out.size(); i++) {
            CellOutput o = readOutput(out.get(i), where + ": output " + (i + 1));
            if (o != null) {
                outputs.add(o);
            }
        }
        JsonNode count = c.get("execution_count");
        Integer executionCount = count != null && count.isInt() ? count.intValue() : null;
        return new NotebookCell(number, kind, source, writes, outputs, executionCount);
    }

    /** Outputs of types the runner never writes (an {@code error} from a real kernel) are skipped. */
    private static CellOutput readOutput(JsonNode o, String where) {
        CellOutput.Type type = CellOutput.Type.fromJson(o.path("output_type").asText(""));
        if (type == null) {
            return null;
        }
        if (type == CellOutput.Type.STREAM) {
            return CellOutput.stream(o.path("name").asText(""), text(o.get("text"), where + ": field 'text'"));
        }
        Map<String, String> data = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = o.path("data").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            data.put(e.getKey(), text(e.getValue(), where + ": field 'data." + e.getKey() + "'"));
        }
        return type == CellOutput.Type.EXECUTE_RESULT ? CellOutput.result(data) : CellOutput.display(data);
    }

    /** nbformat's multi-line string: one string, or a list of strings to join. */
    private static String text(JsonNode node, String what) {
        if (node == null || node.isNull()) {
            return "";
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : node) {
                if (!part.isTextual()) {
                    throw new IllegalArgumentException(what + " must be a string or a list of strings");
                }
                sb.append(part.textValue());
            }
            return sb.toString();
        }
        throw new IllegalArgumentException(what + " must be a string or a list of strings");
    }

    private static ObjectNode toJson(CellOutput o, int executionCount) {
        ObjectNode n = NODES.objectNode();
        n.put("output_type", o.type().json());
        if (o.type() == CellOutput.Type.STREAM) {
            n.put("name", o.name());
            n.set("text", lines(o.text()));
            return n;
        }
        ObjectNode data = n.putObject("data");
        o.data().forEach((mime, value) -> {
            if (mime.startsWith("text/")) {
                data.set(mime, lines(value));
            } else {
                data.put(mime, value);
            }
        });
        n.putObject("metadata");
        if (o.type() == CellOutput.Type.EXECUTE_RESULT) {
            n.put("execution_count", executionCount);
        }
        return n;
    }

    /** Jupyter's split of a multi-line string: each line keeps its newline. */
    private static ArrayNode lines(String text) {
        ArrayNode a = NODES.arrayNode();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            a.add(text.substring(start, end));
            start = end;
        }
        return a;
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = NODES.objectNode();
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            node.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
            fields.forEach((k, v) -> out.set(k, sorted(v)));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode();
            node.forEach(v -> out.add(sorted(v)));
            return out;
        }
        return node;
    }
}
