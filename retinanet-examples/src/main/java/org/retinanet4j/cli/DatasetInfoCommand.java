package org.retinanet4j.cli;

import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.csv.CsvReader;
import org.retinanet4j.data.voc.VocReader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code retinanet dataset-info}: reads a COCO, VOC or CSV dataset with the training readers and prints its counts
 * per class, so format errors show up (file, record, field) before a training run.
 */
@Command(name = "dataset-info",
        mixinStandardHelpOptions = true,
        description = {"Read a dataset (COCO, Pascal VOC or CSV) and print images, boxes and boxes per class."})
public class DatasetInfoCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--coco", paramLabel = "INSTANCES.json", description = "COCO instances file (with --images)")
        Path coco;

        @Option(names = "--voc", paramLabel = "DIR", description = "Pascal VOC folder (Annotations/, JPEGImages/)")
        Path voc;

        @Option(names = "--csv", paramLabel = "ANNOTATIONS.csv", description = "keras-retinanet CSV (with --classes)")
        Path csv;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--images", paramLabel = "DIR", description = "with --coco: folder of the images")
    Path images;

    @Option(names = "--split", description = "with --voc: ImageSets/Main/<split>.txt (default: every XML file)")
    String split;

    @Option(names = "--classes", paramLabel = "CLASSES.csv", description = "with --csv: class_name,id lines")
    Path classes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        DetectionDataset d;
        if (source.coco != null) {
            if (images == null) {
                throw new IllegalArgumentException("--coco needs --images DIR");
            }
            d = new CocoInstancesReader().read(source.coco, images);
        } else if (source.voc != null) {
            d = new VocReader().read(source.voc, split);
        } else {
            if (classes == null) {
                throw new IllegalArgumentException("--csv needs --classes CLASSES.csv");
            }
            d = new CsvReader().read(source.csv, classes);
        }
        int[] perClass = new int[d.categories().size()];
        int ignored = 0;
        int empty = 0;
        for (int i = 0; i < d.numImages(); i++) {
            empty += d.numBoxes(i) == 0 ? 1 : 0;
        }
        for (int b = 0; b < d.numBoxes(); b++) {
            perClass[d.classIndex(b)]++;
            ignored += d.isIgnored(b) ? 1 : 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s%n%d images (%d without boxes), %d boxes (%d crowd/difficult), %d classes%n", d.source(),
                d.numImages(), empty, d.numBoxes(), ignored, d.categories().size());
        out.printf("%-6s %-12s %-24s %s%n", "index", "category_id", "name", "boxes");
        for (int k = 0; k < perClass.length; k++) {
            out.printf("%-6d %-12d %-24s %d%n", k, d.categories().categoryId(k), d.categories().name(k), perClass[k]);
        }
        return 0;
    }
}
