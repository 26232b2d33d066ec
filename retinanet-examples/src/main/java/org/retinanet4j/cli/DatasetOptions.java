package org.retinanet4j.cli;

import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.data.DatasetFormatException;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.csv.CsvReader;
import org.retinanet4j.data.voc.VocReader;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How every command names a dataset (a picocli mixin): {@code --data PATH}, a COCO instances {@code .json}, a
 * Pascal VOC folder ({@code Annotations/}, {@code JPEGImages/}) or a keras-retinanet {@code .csv} file, the format
 * told from the path or given with {@code --format}; {@code --images} (COCO: the image folder, default the JSON's
 * folder), {@code --split} (VOC: {@code ImageSets/Main/<split>.txt}, default every annotation file) and
 * {@code --classes} (VOC and CSV: the class list, default the classes the annotations use, sorted).
 *
 * <p>A dataset read for a model (validation during training, evaluation) takes that model's classes instead
 * ({@link #read(CategoryMap, String)}): an object of a class the model does not know is an error naming the file
 * and the object.
 */
final class DatasetOptions {

    enum Format { COCO, VOC, CSV }

    @Option(names = "--data", paramLabel = "PATH", description = "the dataset: a COCO instances .json, a Pascal VOC "
            + "folder (Annotations/, JPEGImages/) or a CSV file (path,x1,y1,x2,y2,class_name)")
    Path data;

    @Option(names = "--format", paramLabel = "FORMAT", description = "coco, voc or csv (default: told from --data)")
    String format;

    @Option(names = "--images", paramLabel = "DIR", description = "COCO: folder of the images (default: the JSON's "
            + "folder)")
    Path images;

    @Option(names = "--split", paramLabel = "NAME", description = "VOC: the images listed in "
            + "ImageSets/Main/NAME.txt (default: every file in Annotations/)")
    String split;

    @Option(names = "--classes", paramLabel = "FILE|a,b,c", description = "VOC and CSV: the classes, in this order: "
            + "a file with one name per line (or keras-retinanet's name,id lines) or a comma-separated list "
            + "(default: the names the annotations use, sorted)")
    String classes;

    boolean given() {
        return data != null;
    }

    Path require(String what) {
        if (data == null) {
            throw new IllegalArgumentException("--data PATH is required (" + what + ": a COCO .json, a VOC folder or a"
                    + " .csv file)");
        }
        return data;
    }

    Format format(Path path) {
        if (format != null) {
            try {
                return Format.valueOf(format.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--format: unknown format '" + format + "' (use coco, voc or csv)");
            }
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(path)) {
            return Format.VOC;
        }
        if (name.endsWith(".json")) {
            return Format.COCO;
        }
        if (name.endsWith(".csv")) {
            return Format.CSV;
        }
        throw new IllegalArgumentException(path + ": cannot tell the format (expected a COCO .json file, a VOC "
                + "folder or a .csv file); give --format coco|voc|csv");
    }

    /** The dataset with its own classes (given with --classes, or those its annotations use). */
    DetectionDataset read() throws IOException {
        return read(require("the dataset"), images, split, null, null);
    }

    /** The dataset with a model's classes; {@code origin} ("the model m.zip") is named in errors. */
    DetectionDataset read(CategoryMap known, String origin) throws IOException {
        if (classes != null) {
            throw new IllegalArgumentException("--classes: the classes come from " + origin + " ("
                    + String.join(", ", known.names()) + ")");
        }
        return read(require("the dataset"), images, split, known, origin);
    }

    /** Another dataset of the same format (a validation set), with {@code known} classes when not null. */
    DetectionDataset read(Path path, Path imageFolder, String splitName, CategoryMap known, String origin)
            throws IOException {
        CliChecks.existingPath(path, "--data");
        return switch (format(path)) {
            case COCO -> {
                CliChecks.existingFile(path, "--data");
                if (classes != null) {
                    throw new IllegalArgumentException("--classes: a COCO file declares its own categories; "
                            + "--classes is for VOC and CSV datasets");
                }
                Path root = imageFolder != null ? imageFolder : path.toAbsolutePath().getParent();
                if (!Files.isDirectory(root)) {
                    throw new IllegalArgumentException("--images: no such folder " + root);
                }
                DetectionDataset d = new CocoInstancesReader().read(path, root);
                if (known != null) {
                    checkCategories(d, path, known, origin);
                }
                yield d;
            }
            case VOC -> {
                if (!Files.isDirectory(path)) {
                    throw new IllegalArgumentException("--data: " + path + " is not a VOC folder");
                }
                CategoryMap categories = known != null ? known : classes != null ? classList(null)
                        : CategoryMap.ofNames(VocReader.classNames(path, splitName));
                yield new VocReader(categories, known != null ? origin : classes != null ? "--classes" : null)
                        .read(path, splitName);
            }
            case CSV -> {
                CliChecks.existingFile(path, "--data");
                CsvReader reader = new CsvReader();
                CategoryMap categories = known != null ? known : classes != null ? classList(reader)
                        : reader.discoverClasses(path);
                yield reader.read(path, categories);
            }
        };
    }

    /** --classes as a file (names, or keras-retinanet's name,id lines) or a comma-separated list. */
    private CategoryMap classList(CsvReader csv) throws IOException {
        Path file = Path.of(classes);
        if (Files.isRegularFile(file)) {
            List<String> lines = Files.readAllLines(file).stream().map(String::trim).filter(l -> !l.isEmpty())
                    .toList();
            if (!lines.isEmpty() && lines.stream().allMatch(l -> l.contains(","))) {
                return (csv != null ? csv : new CsvReader()).readClasses(file);
            }
            return names(lines, file.toString());
        }
        if (classes.endsWith(".txt") || classes.endsWith(".csv") || classes.contains("/")) {
            throw new IllegalArgumentException("--classes: no such file " + classes);
        }
        return names(Arrays.stream(classes.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                "--classes");
    }

    private static CategoryMap names(List<String> names, String where) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException(where + ": no class names");
        }
        List<String> seen = new ArrayList<>();
        for (String n : names) {
            if (seen.contains(n)) {
                throw new IllegalArgumentException(where + ": class '" + n + "' is listed twice");
            }
            seen.add(n);
        }
        return CategoryMap.ofNames(names);
    }

    /** Every category a COCO file's boxes use must be one of {@code known}, by name and id. */
    private static void checkCategories(DetectionDataset d, Path file, CategoryMap known, String origin)
            throws DatasetFormatException {
        boolean[] used = new boolean[d.categories().size()];
        for (int b = 0; b < d.numBoxes(); b++) {
            used[d.classIndex(b)] = true;
        }
        for (int k = 0; k < used.length; k++) {
            String name = d.categories().name(k);
            long id = d.categories().categoryId(k);
            int at = known.indexOfName(name);
            if (used[k] && (at < 0 || known.categoryId(at) != id)) {
                throw new DatasetFormatException(file + ": category '" + name + "' (id " + id + ") is not one of the "
                        + "classes of " + origin + " (" + String.join(", ", known.names()) + ")"
                        + (at >= 0 ? "; there its id is " + known.categoryId(at) : ""));
            }
        }
    }
}
