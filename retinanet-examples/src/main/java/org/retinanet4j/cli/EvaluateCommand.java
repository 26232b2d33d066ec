package org.retinanet4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import org.retinanet4j.eval.CocoDetections;
import org.retinanet4j.eval.CocoEvalParams;
import org.retinanet4j.eval.CocoEvalResult;
import org.retinanet4j.eval.CocoEvaluator;
import org.retinanet4j.eval.CocoGroundTruth;
import org.retinanet4j.eval.CocoResultsReader;
import org.retinanet4j.eval.PrecisionRecallPlot;
import org.retinanet4j.eval.VocEvaluator;
import org.retinanet4j.eval.VocGroundTruth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code retinanet evaluate}: COCO bounding-box evaluation. Results-file mode
 * ({@code --data GT --detections DT.json}) evaluates an existing COCO results file; other modes
 * (running a model over a dataset) produce {@link CocoDetections} and hand them to
 * {@link #evaluateVoc} and {@link #report(CocoEvalResult)}, so the output is the same whatever produced the
 * detections.
 */
@Command(name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {"COCO bounding-box evaluation (the 12 statistics pycocotools prints, same numbers),"
                + " optionally Pascal VOC mAP.", "Model mode: --model MODEL --data PATH [--split NAME] [--out results.json]"
                + " (COCO, VOC or CSV; the dataset is read with the model's classes)",
                "Results-file mode: --data GT --detections DT.json (a COCO results file)"})
public class EvaluateCommand implements Callable<Integer> {

    @Mixin
    DatasetOptions dataset;

    @Option(names = "--annotations", hidden = true, paramLabel = "PATH", description = "the former name of --data")
    void legacyAnnotations(Path p) {
        dataset.data = p;
    }

    @Option(names = "--detections", paramLabel = "DT.json",
            description = "COCO results file: a JSON array of {image_id, category_id, bbox [x,y,w,h], score}")
    Path detections;

    @Option(names = "--model", paramLabel = "MODEL",
            description = "model mode: run this saved model (model.zip) over the --data dataset")
    Path model;

    @Option(names = "--out", paramLabel = "results.json", description = "model mode: also write the detections "
            + "as a COCO results file")
    Path resultsOut;

    @Option(names = "--batch", defaultValue = "2", description = "model mode: images per batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--json", description = "print the 12 statistics as one JSON object (AP, AP50, ..., ARl)")
    boolean json;

    @Option(names = "--plot", paramLabel = "DIR",
            description = "write precision/recall curves per category as PNG files into DIR")
    Path plotDir;

    @Option(names = "--voc", description = "also compute Pascal VOC mAP at IoU 0.5 (11-point VOC2007 and all-point"
            + " VOC2010+; crowd boxes count as difficult)")
    boolean voc;

    @Option(names = "--voc-pixel-inclusive", description = "with --voc: the VOC devkit's +1 pixel widths (for VOC"
            + " boxes converted as written, x = xmin, w = xmax - xmin)")
    boolean vocPixelInclusive;

    @Spec
    CommandSpec spec;

    private VocEvaluator.Result voc07;
    private VocEvaluator.Result voc10;

    @Override
    public Integer call() throws IOException {
        if (model != null) {
            if (detections != null) {
                throw new IllegalArgumentException("give either --model or --detections, not both");
            }
            report(ModelEvaluation.run(model, dataset, resultsOut, batch));
            return 0;
        }
        if (detections == null) {
            throw new IllegalArgumentException("--detections or --model is required (a COCO results file to "
                    + "evaluate, or a model to run)");
        }
        Path annotations = dataset.require("the ground truth");
        CocoGroundTruth gt = dataset.format(CliChecks.existingPath(annotations, "--data")) == DatasetOptions.Format.COCO
                ? CocoGroundTruth.readCocoInstances(requireFile(annotations, "--data"))
                : CocoGroundTruth.fromDataset(dataset.read());
        CocoDetections dt = CocoResultsReader.read(requireFile(detections, "--detections"), gt);
        evaluateVoc(gt, dt);
        report(new CocoEvaluator().evaluate(gt, dt));
        return 0;
    }

    /** Evaluates a COCO results file against an instances file (both checked to exist first). */
    public static CocoEvalResult evaluateResultsFile(Path annotations, Path detections) throws IOException {
        CocoGroundTruth gt = CocoGroundTruth.readCocoInstances(requireFile(annotations, "--annotations"));
        CocoDetections dt = CocoResultsReader.read(requireFile(detections, "--detections"), gt);
        return new CocoEvaluator().evaluate(gt, dt);
    }

    /** With --voc: the VOC mAP of the same boxes, printed by {@link #report}. */
    protected void evaluateVoc(CocoGroundTruth gt, CocoDetections dt) {
        if (voc) {
            VocGroundTruth vgt = VocGroundTruth.fromCoco(gt);
            voc07 = new VocEvaluator(VocEvaluator.Metric.VOC2007_11_POINT, vocPixelInclusive).evaluate(vgt, dt);
            voc10 = new VocEvaluator(VocEvaluator.Metric.VOC2010_ALL_POINT, vocPixelInclusive).evaluate(vgt, dt);
        }
    }

    /** Prints the result (table with per-category AP, or JSON with --json) and writes the plots (--plot). */
    protected void report(CocoEvalResult result) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(statsJson(result, voc07, voc10));
        } else {
            out.print(result.summaryTable());
            out.println();
            out.println(perCategoryTable(result));
            if (result.unknownCategoryDetections() > 0) {
                out.printf(Locale.ROOT, "%d of %d detections name a category the ground truth lacks and were left"
                        + " out (as pycocotools does)%n", result.unknownCategoryDetections(), result.numDetections());
            }
            if (voc07 != null) {
                out.printf(Locale.ROOT, "%n Pascal VOC mAP @[ IoU=0.50 ] = %.4f (11-point, VOC2007), %.4f (all-point,"
                        + " VOC2010+)%n", voc07.map(), voc10.map());
            }
        }
        if (plotDir != null) {
            List<Path> files = PrecisionRecallPlot.writeAll(result, plotDir);
            spec.commandLine().getErr().printf(Locale.ROOT, "wrote %d precision/recall plots to %s%n",
                    files.size(), plotDir);
        }
        out.flush();
    }

    /**
     * The 12 statistics as a JSON object with the names AP, AP50, AP75, APs, APm, APl, AR1, ..., ARl, plus
     * VOC07_mAP and VOC_mAP when VOC results are given (NaN, i.e. no class with boxes, is written as null).
     */
    static String statsJson(CocoEvalResult result, VocEvaluator.Result voc07, VocEvaluator.Result voc10) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            for (Map.Entry<String, Double> e : result.stats().asMap().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            if (voc07 != null) {
                writeOrNull(g, "VOC07_mAP", voc07.map());
                writeOrNull(g, "VOC_mAP", voc10.map());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static void writeOrNull(JsonGenerator g, String name, double v) throws IOException {
        if (Double.isNaN(v)) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, v);
        }
    }

    static String perCategoryTable(CocoEvalResult result) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%6s  %-20s %7s %7s %7s%n", "id", "category",
                "AP", "AP50", "AP75"));
        int t50 = CocoEvalParams.iouIndex(0.5);
        int t75 = CocoEvalParams.iouIndex(0.75);
        for (int k = 0; k < result.numCategories(); k++) {
            double ap = result.categoryAp(k);
            if (ap < 0) {
                b.append(String.format(Locale.ROOT, "%6d  %-20s %7s%n", result.categoryId(k), result.categoryName(k),
                        "no gt"));
            } else {
                b.append(String.format(Locale.ROOT, "%6d  %-20s %7.3f %7.3f %7.3f%n", result.categoryId(k),
                        result.categoryName(k), ap, result.categoryAp(k, t50), result.categoryAp(k, t75)));
            }
        }
        return b.toString().stripTrailing();
    }

    private static Path requireFile(Path p, String option) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(option + ": no such file " + p);
        }
        return p;
    }
}
