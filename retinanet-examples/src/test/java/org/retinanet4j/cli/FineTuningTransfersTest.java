package org.retinanet4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.csv.CsvReader;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.SavedModel;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tuning that transfers, from the command line: a small model trained on one synthetic dataset (shapes as
 * square, circle, triangle; COCO JSON) and fine-tuned with {@code train --weights} on another one with other
 * classes (other images, labelled "round" and "angular"; CSV) reaches a higher validation AP50 after N iterations
 * than the same N iterations from scratch. Also checks what the command says it copied.
 */
class FineTuningTransfersTest {

    private static final int SIZE = 128;
    private static final String SOURCE_ITERATIONS = "60";
    private static final String TUNE_ITERATIONS = "25";

    @TempDir
    Path dir;


    @Test
    void fineTuningBeatsTheSameIterationsFromScratch() throws Exception {
        ShapesDataset a = new ShapesDatasetGenerator(new ShapesConfig(48, 4, SIZE, 28, 64, 2, 0.0, 0.0, 3))
                .generate(dir.resolve("a"));
        ShapesDataset b = new ShapesDatasetGenerator(new ShapesConfig(32, 24, SIZE, 28, 64, 2, 0.0, 0.0, 11))
                .generate(dir.resolve("b"));
        Path bTrain = roundAndAngular(b.trainAnnotations(), b.trainImages(), dir.resolve("b-train.csv"));
        Path bVal = roundAndAngular(b.valAnnotations(), b.valImages(), dir.resolve("b-val.csv"));

        CliRun source = CliRun.run("train", "--data", a.trainAnnotations().toString(), "--images", a.trainImages().toString(),
                "--size", Integer.toString(SIZE), "--batch", "4", "--optimizer", "adam", "--lr", "1e-3",
                "--max-iterations", SOURCE_ITERATIONS, "--checkpoint-every", "100000", "--out",
                dir.resolve("source").toString());
        assertEquals(0, source.exit(), source.err());
        Path sourceModel = dir.resolve("source/model.zip");

        List<String> common = List.of("train", "--data", bTrain.toString(), "--size", Integer.toString(SIZE),
                "--batch", "4", "--optimizer", "adam", "--lr", "1e-3", "--max-iterations", TUNE_ITERATIONS,
                "--checkpoint-every", "100000", "--seed", "3");
        CliRun tuned = CliRun.run(args(common, "--weights", sourceModel.toString(), "--out", dir.resolve("tuned").toString()));
        assertEquals(0, tuned.exit(), tuned.err());
        CliRun scratch = CliRun.run(args(common, "--out", dir.resolve("scratch").toString()));
        assertEquals(0, scratch.exit(), scratch.err());

        double tunedAp = ap50(dir.resolve("tuned/model.zip"), bVal);
        double scratchAp = ap50(dir.resolve("scratch/model.zip"), bVal);
        org.slf4j.Logger log = LoggerFactory.getLogger(FineTuningTransfersTest.class);
        log.info("train --weights printed:\n{}", tuned.out());
        log.info(String.format(Locale.ROOT,
                "AP50 after %s iterations on the round/angular set: fine-tuned %.3f, from scratch %.3f",
                TUNE_ITERATIONS, tunedAp, scratchAp));
        assertTrue(tuned.out().contains("weights: " + sourceModel + " (a model saved by this project, 3 classes)"),
                tuned.out());
        assertTrue(tuned.out().contains("initialised afresh: cls_head_clsLogitsW, cls_head_clsLogitsb (class "
                + "predictor for the new classes [angular, round] instead of [square, circle, triangle]"), tuned.out());
        assertTrue(tuned.out().lines().anyMatch(l -> l.matches("copied \\d+ of \\d+ parameter arrays: .*")
                && l.matches(".*backbone \\d+.*") && l.matches(".*FPN \\d+.*") && l.matches(".*heads \\d+.*")
                && !l.contains("class predictor")), tuned.out());
        assertTrue(tuned.out().contains("FROZEN BatchNorm, 3 trainable backbone layers"), tuned.out());
        assertTrue(tunedAp > scratchAp + 0.05, "fine-tuned AP50 " + tunedAp + ", from scratch " + scratchAp);
    }

    /** AP50 of the model on the validation CSV, read with the model's classes. */
    private static double ap50(Path model, Path valCsv) throws Exception {
        SavedModel saved = ModelBundle.load(model);
        DetectionDataset val = new CsvReader().read(valCsv, ModelEvaluation.modelClasses(saved));
        return TrainingPipeline.evaluate(saved.graph(), saved.metadata(), val, 8).stats().ap50();
    }

    private static String[] args(List<String> common, String... more) {
        List<String> all = new ArrayList<>(common);
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    /** The shapes relabelled: circles "round", squares and triangles "angular" (a CSV, keras-retinanet style). */
    private static Path roundAndAngular(Path cocoJson, Path images, Path csv) throws Exception {
        DetectionDataset d = new CocoInstancesReader().read(cocoJson, images);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < d.numImages(); i++) {
            String path = d.imagePath(i).toAbsolutePath().toString();
            if (d.numBoxes(i) == 0) {
                lines.add(path + ",,,,,");
            }
            for (int k = d.firstBox(i); k < d.firstBox(i) + d.numBoxes(i); k++) {
                String name = d.categories().name(d.classIndex(k)).equals("circle") ? "round" : "angular";
                lines.add(String.format(Locale.ROOT, "%s,%.1f,%.1f,%.1f,%.1f,%s", path, d.box(k, 0), d.box(k, 1),
                        d.box(k, 2), d.box(k, 3), name));
            }
        }
        Files.write(csv, lines);
        return csv;
    }
}
