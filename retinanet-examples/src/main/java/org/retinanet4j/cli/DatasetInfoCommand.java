package org.retinanet4j.cli;

import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.stats.AnchorCoverage;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeRule;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.targets.AnchorMatcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code retinanet dataset-info}: reads a COCO, VOC or CSV dataset with the training readers and prints its classes
 * and counts per class, and the image files that are missing, so format errors show up (file, record, field)
 * before a training run. With {@code --size S}: the box sizes per class after training's resize to S, and the
 * share of boxes no anchor reaches at the matcher's IoU threshold ({@link AnchorCoverage}).
 */
@Command(name = "dataset-info",
        mixinStandardHelpOptions = true,
        description = {"Read a dataset (--data: COCO JSON, Pascal VOC folder or CSV file) and print its classes, "
                + "images, boxes per class and missing image files.",
                "With --size S: box sizes per class at input size S and the share of boxes no anchor reaches at "
                        + "IoU >= 0.5 (they train only through the low-quality match)."})
public class DatasetInfoCommand implements Callable<Integer> {

    private static final int MISSING_LISTED = 5;

    @Mixin
    DatasetOptions dataset;

    @Option(names = "--size", paramLabel = "S", description = "input size as in train --size: report box sizes "
            + "and anchor coverage after the same resize")
    Integer size;

    @Option(names = AnchorSizes.OPTION, split = ",", paramLabel = "S3,..,S7", description = "with --size: the "
            + "anchors whose coverage is reported, as in train " + AnchorSizes.OPTION + " (default torchvision's "
            + "32,64,128,256,512)")
    int[] anchorSizes;

    @Option(names = "--coco", hidden = true, paramLabel = "JSON", description = "former name of --data --format coco")
    void legacyCoco(Path p) {
        legacy(p, "coco");
    }

    @Option(names = "--voc", hidden = true, paramLabel = "DIR", description = "former name of --data --format voc")
    void legacyVoc(Path p) {
        legacy(p, "voc");
    }

    @Option(names = "--csv", hidden = true, paramLabel = "CSV", description = "former name of --data --format csv")
    void legacyCsv(Path p) {
        legacy(p, "csv");
    }

    @Spec
    CommandSpec spec;

    private void legacy(Path p, String format) {
        dataset.data = p;
        dataset.format = format;
    }

    @Override
    public Integer call() throws IOException {
        if (size != null && (size < 128 || size % 128 != 0)) {
            throw new IllegalArgumentException("--size must be a positive multiple of 128, got " + size);
        }
        if (anchorSizes != null && size == null) {
            throw new IllegalArgumentException(AnchorSizes.OPTION + " reports anchor coverage, which needs --size S "
                    + "(the input size the sizes are in)");
        }
        AnchorSizes.config(anchorSizes); // checked before the data is read
        DetectionDataset d = dataset.read();
        int[] perClass = new int[d.categories().size()];
        int ignored = 0;
        int empty = 0;
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < d.numImages(); i++) {
            empty += d.numBoxes(i) == 0 ? 1 : 0;
            if (!Files.isRegularFile(d.imagePath(i))) {
                missing.add(d.imagePath(i).toString());
            }
        }
        for (int b = 0; b < d.numBoxes(); b++) {
            perClass[d.classIndex(b)]++;
            ignored += d.isIgnored(b) ? 1 : 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s%n%d images (%d without boxes), %d boxes (%d crowd/difficult), %d classes: %s%n",
                d.source(), d.numImages(), empty, d.numBoxes(), ignored, d.categories().size(),
                String.join(", ", d.categories().names()));
        if (!missing.isEmpty()) {
            out.printf(Locale.ROOT, "%d image files missing (training skips them): %s%s%n", missing.size(),
                    String.join(", ", missing.subList(0, Math.min(MISSING_LISTED, missing.size()))),
                    missing.size() > MISSING_LISTED ? ", ..." : "");
        }
        out.printf("%-6s %-12s %-24s %s%n", "index", "category_id", "name", "boxes");
        for (int k = 0; k < perClass.length; k++) {
            out.printf("%-6d %-12d %-24s %d%n", k, d.categories().categoryId(k), d.categories().name(k), perClass[k]);
        }
        if (size != null) {
            printCoverage(out, d, size);
        }
        out.flush();
        return 0;
    }

    private void printCoverage(PrintWriter out, DetectionDataset d, int size) {
        AnchorConfig anchors = AnchorSizes.config(anchorSizes);
        AnchorCoverage coverage = new AnchorCoverage(new AnchorGenerator(anchors),
                new ResizeRule(size, size), PaddingRule.toMultipleOf(RetinaNetSpec.PADDING_MULTIPLE),
                AnchorMatcher.DEFAULT_FOREGROUND_IOU);
        out.printf(Locale.ROOT, "%nat input size %d (images resized as in training), anchors %s:%n", size, anchors);
        out.printf(Locale.ROOT, "%-24s %6s  %s  %s%n", "name", "boxes", "box size sqrt(w*h) px: min   p10   median"
                + "    p90     max", "no anchor at IoU >= " + AnchorMatcher.DEFAULT_FOREGROUND_IOU);
        for (AnchorCoverage.ClassCoverage c : coverage.compute(d)) {
            if (c.boxes() == 0) {
                out.printf(Locale.ROOT, "%-24s %6d%n", c.name(), 0);
                continue;
            }
            out.printf(Locale.ROOT, "%-24s %6d  %28.1f %5.1f %8.1f %7.1f %7.1f  %5.1f%% (%d)%n", c.name(), c.boxes(),
                    c.sizeQuantile(0), c.sizeQuantile(0.1), c.sizeQuantile(0.5), c.sizeQuantile(0.9),
                    c.sizeQuantile(1), 100 * c.unmatchedShare(), c.unmatched());
        }
    }
}
