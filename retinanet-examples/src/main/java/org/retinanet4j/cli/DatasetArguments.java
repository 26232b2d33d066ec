package org.retinanet4j.cli;

import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.csv.CsvReader;
import org.retinanet4j.data.voc.VocReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads a dataset named on the command line: a COCO instances JSON (images under {@code --images}), a VOC folder
 * (with a split name) or a keras-retinanet CSV file (with a classes CSV). The format is detected from the path or
 * given explicitly.
 */
final class DatasetArguments {

    enum Format { COCO, VOC, CSV }

    private DatasetArguments() {
    }

    static Format detect(Path annotations, String given) {
        if (given != null) {
            try {
                return Format.valueOf(given.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--format: unknown format '" + given + "' (use coco, voc or csv)");
            }
        }
        String name = annotations.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(annotations)) {
            return Format.VOC;
        }
        if (name.endsWith(".json")) {
            return Format.COCO;
        }
        if (name.endsWith(".csv")) {
            return Format.CSV;
        }
        throw new IllegalArgumentException(annotations + ": cannot tell the format (expected a COCO .json file, a VOC "
                + "folder or a .csv file); give --format coco|voc|csv");
    }

    static DetectionDataset read(Path annotations, Path images, String format, String split, Path classes,
                                 String option) throws IOException {
        CliChecks.existingPath(annotations, option);
        return switch (detect(annotations, format)) {
            case COCO -> {
                CliChecks.existingFile(annotations, option);
                Path root = images != null ? images : annotations.toAbsolutePath().getParent();
                if (!Files.isDirectory(root)) {
                    throw new IllegalArgumentException("--images: no such folder " + root);
                }
                yield new CocoInstancesReader().read(annotations, root);
            }
            case VOC -> {
                if (!Files.isDirectory(annotations)) {
                    throw new IllegalArgumentException(option + ": " + annotations + " is not a VOC folder");
                }
                yield new VocReader().read(annotations, split == null ? "train" : split);
            }
            case CSV -> {
                CliChecks.existingFile(annotations, option);
                if (classes == null) {
                    throw new IllegalArgumentException("--classes CLASSES.csv is required with a CSV dataset");
                }
                yield new CsvReader().read(annotations, CliChecks.existingFile(classes, "--classes"));
            }
        };
    }
}
