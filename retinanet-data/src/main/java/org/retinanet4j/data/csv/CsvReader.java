package org.retinanet4j.data.csv;

import org.retinanet4j.data.BoxClipper;
import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.data.DatasetFormatException;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.DetectionDatasetBuilder;
import org.retinanet4j.data.OutOfImagePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads keras-retinanet's CSV format into a {@link DetectionDataset}:
 * <ul>
 *   <li>annotations: one box per line {@code path,x1,y1,x2,y2,class_name}; an image without objects is one line
 *       {@code path,,,,,}; an image with several boxes repeats its path. Paths are relative to the annotation
 *       file's folder (or absolute). Coordinates are pixel corners (continuous, as written).</li>
 *   <li>classes: {@code class_name,id} per line, ids distinct integers (class indices follow ascending id, so ids
 *       0..K-1 are the class indices).</li>
 * </ul>
 * Image sizes come from the image files (header only where possible). Errors name the file, the line and the
 * field: wrong column count, non-numeric coordinate, x2 &lt;= x1 or y2 &lt;= y1, unknown class, duplicate class
 * name or id, missing or unreadable image, an empty file. Boxes outside the image follow the
 * {@link OutOfImagePolicy}. Image ids are 1..n in order of first appearance.
 */
public final class CsvReader {

    private static final Logger log = LoggerFactory.getLogger(CsvReader.class);

    private final OutOfImagePolicy outOfImagePolicy;

    public CsvReader() {
        this(OutOfImagePolicy.CLIP);
    }

    public CsvReader(OutOfImagePolicy outOfImagePolicy) {
        this.outOfImagePolicy = outOfImagePolicy;
    }

    /** Reads the class list file ({@code class_name,id} lines). */
    public CategoryMap readClasses(Path classesCsv) throws IOException {
        List<String> lines = Files.readAllLines(classesCsv);
        List<Long> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, Integer> seenNames = new HashMap<>();
        Map<Long, Integer> seenIds = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = classesCsv + " line " + (i + 1);
            List<String> f = CsvLine.split(line);
            if (f == null || f.size() != 2) {
                throw new DatasetFormatException(where + ": expected 'class_name,id', got '" + line + "'");
            }
            String name = f.get(0).trim();
            long id;
            try {
                id = Long.parseLong(f.get(1).trim());
            } catch (NumberFormatException e) {
                throw new DatasetFormatException(where + ": field id must be an integer, got '" + f.get(1) + "'");
            }
            Integer prev = seenNames.put(name, i + 1);
            if (prev != null) {
                throw new DatasetFormatException(where + ": duplicate class name '" + name + "' (also line " + prev + ")");
            }
            prev = seenIds.put(id, i + 1);
            if (prev != null) {
                throw new DatasetFormatException(where + ": duplicate class id " + id + " (also line " + prev + ")");
            }
            ids.add(id);
            names.add(name);
        }
        if (ids.isEmpty()) {
            throw new DatasetFormatException(classesCsv + ": no classes");
        }
        long[] idArray = ids.stream().mapToLong(Long::longValue).toArray();
        return new CategoryMap(idArray, names.toArray(new String[0]));
    }

    /**
     * The class names the boxes of an annotations file use, sorted (a dataset's own classes, when no class file is
     * given); class index = position, ids 0..K-1.
     */
    public CategoryMap discoverClasses(Path annotationsCsv) throws IOException {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        List<String> lines = Files.readAllLines(annotationsCsv);
        for (int i = 0; i < lines.size(); i++) {
            List<String> f = CsvLine.split(lines.get(i));
            if (f == null || lines.get(i).isBlank()) {
                continue;   // read() reports malformed lines with their number
            }
            if (f.size() == 6 && !f.get(5).isBlank()) {
                names.add(f.get(5).trim());
            }
        }
        if (names.isEmpty()) {
            throw new DatasetFormatException(annotationsCsv + ": no boxes with a class name, so no classes to learn");
        }
        return CategoryMap.ofNames(List.copyOf(names));
    }

    /** Reads the annotations with the classes of {@code classesCsv}. */
    public DetectionDataset read(Path annotationsCsv, Path classesCsv) throws IOException {
        return read(annotationsCsv, readClasses(classesCsv));
    }

    public DetectionDataset read(Path annotationsCsv, CategoryMap classes) throws IOException {
        Path base = annotationsCsv.toAbsolutePath().getParent();
        String source = annotationsCsv.toString();
        DetectionDatasetBuilder builder = new DetectionDatasetBuilder(source, base);
        BoxClipper clipper = new BoxClipper(source, outOfImagePolicy);
        ImageSizeProbe probe = new ImageSizeProbe();
        Map<String, Integer> imageIndex = new HashMap<>();
        List<String> lines = Files.readAllLines(annotationsCsv);
        long annotationId = 1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = source + " line " + (i + 1);
            List<String> f = CsvLine.split(line);
            if (f == null || f.size() != 6) {
                throw new DatasetFormatException(where + ": expected 'path,x1,y1,x2,y2,class_name' (6 fields), got '"
                        + line + "'");
            }
            String path = f.get(0).trim();
            if (path.isEmpty()) {
                throw new DatasetFormatException(where + ": field path is empty");
            }
            Integer pos = imageIndex.get(path);
            if (pos == null) {
                Path file = base.resolve(path);
                int[] size;
                try {
                    size = probe.size(file);
                } catch (IOException e) {
                    throw new DatasetFormatException(where + ": image " + file + " is missing or unreadable: "
                            + e.getMessage(), e);
                }
                pos = builder.addImage(builder.numImages() + 1, path, size[0], size[1]);
                imageIndex.put(path, pos);
            }
            boolean negative = true;
            for (int j = 1; j < 6; j++) {
                negative &= f.get(j).isBlank();
            }
            if (negative) {
                continue;
            }
            double[] corners = new double[4];   // as written, in double: the raw box keeps full precision
            String[] names = {"x1", "y1", "x2", "y2"};
            for (int j = 0; j < 4; j++) {
                try {
                    corners[j] = Double.parseDouble(f.get(j + 1).trim());
                } catch (NumberFormatException e) {
                    throw new DatasetFormatException(where + ": field " + names[j] + " must be a number, got '"
                            + f.get(j + 1) + "'");
                }
            }
            if (!(corners[2] > corners[0]) || !(corners[3] > corners[1])) {
                throw new DatasetFormatException(where + ": box has non-positive width or height (x1 " + corners[0]
                        + ", x2 " + corners[2] + ", y1 " + corners[1] + ", y2 " + corners[3]
                        + "); need x2 > x1 and y2 > y1");
            }
            String className = f.get(5).trim();
            int cls = classes.indexOfName(className);
            if (cls < 0) {
                throw new DatasetFormatException(where + ": field class_name '" + className
                        + "' is not in the class list");
            }
            double rx = corners[0];
            double ry = corners[1];
            double rw = corners[2] - corners[0];
            double rh = corners[3] - corners[1];
            float[] box = {(float) corners[0], (float) corners[1], (float) corners[2], (float) corners[3]};
            clipper.apply(box, builder.width(pos), builder.height(pos), "line " + (i + 1));
            builder.addBox(pos, box[0], box[1], box[2], box[3], rx, ry, rw, rh, cls, (byte) 0, rw * rh,
                    annotationId++);
        }
        clipper.logSummary();
        DetectionDataset d = builder.build(classes);
        log.info("{}: {} images, {} boxes, {} classes", source, d.numImages(), d.numBoxes(), classes.size());
        return d;
    }
}
