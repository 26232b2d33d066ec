package org.retinanet4j.cli;

import org.retinanet4j.decode.Detection;
import org.retinanet4j.eval.CocoDetections;
import org.retinanet4j.inference.CocoResultsWriter;
import org.retinanet4j.inference.DetectionPainter;
import org.retinanet4j.inference.Detector;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.SavedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code retinanet detect}: runs a saved model on image files, prints the detections, writes a PNG per image with
 * the boxes drawn and a COCO results JSON ({@code image_id} = position of the image on the command line, from 1).
 */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Detects objects in images with a saved model; writes <name>.png with boxes, class names and "
                + "scores drawn, and detections.json (COCO results, image_id = 1, 2, ... in argument order).")
public final class DetectCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "model file (model.zip from train or demo)")
    Path model;

    @Option(names = "--threshold", defaultValue = "0.5", description = "minimum score (default: ${DEFAULT-VALUE})")
    float threshold;

    @Option(names = "--out", defaultValue = "retinanet-output/detect", paramLabel = "DIR",
            description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "image files")
    List<Path> images;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CliChecks.existingFile(model, "--model");
        CliChecks.outputFolder(out, "--out");
        if (!(threshold >= 0 && threshold < 1)) {
            throw new IllegalArgumentException("--threshold must be in [0, 1), got " + threshold);
        }
        for (Path p : images) {
            CliChecks.existingFile(p, "IMAGE");
        }
        SavedModel saved = ModelBundle.load(model);
        Detector detector = new Detector(saved, saved.metadata().spec().decoder().withScoreThreshold(threshold));
        Files.createDirectories(out);
        PrintWriter console = spec.commandLine().getOut();
        CocoDetections results = new CocoDetections();
        int[] categoryIds = saved.metadata().categoryIds();
        for (int i = 0; i < images.size(); i++) {
            Path p = images.get(i);
            List<Detection> dets = detector.detect(p);
            console.printf(Locale.ROOT, "%s: %d detections%n", p, dets.size());
            for (Detection d : dets) {
                console.printf(Locale.ROOT, "  %-16s %.3f  [%.1f, %.1f, %.1f, %.1f]%n", d.className(), d.score(),
                        d.x1(), d.y1(), d.x2(), d.y2());
                results.add(i + 1, categoryIds[d.classIndex()], d.x1(), d.y1(), d.width(), d.height(), d.score());
            }
            BufferedImage img = ImageIO.read(p.toFile());
            if (img != null) {
                String name = p.getFileName().toString().replaceFirst("\\.[^.]+$", "") + ".png";
                DetectionPainter.writePng(img, dets, out.resolve(name));
            }
        }
        Path json = out.resolve("detections.json");
        CocoResultsWriter.write(results, json);
        console.printf("wrote %s and %d PNG files to %s%n", json.getFileName(), images.size(), out);
        console.flush();
        return 0;
    }
}
