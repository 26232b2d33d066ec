package org.retinanet4j.cli;

import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.image.RgbImage;
import org.retinanet4j.data.image.RgbImageDecoder;
import org.retinanet4j.decode.Detection;
import org.retinanet4j.eval.CocoDetections;
import org.retinanet4j.inference.CocoResultsWriter;
import org.retinanet4j.inference.DetectionPainter;
import org.retinanet4j.inference.Detector;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.SavedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code retinanet detect}: runs a saved model on image files, folders (searched recursively for image files) or
 * the images of a dataset ({@code --data}), prints the detections, writes a PNG per image with the boxes drawn, a
 * COCO results JSON and the list of images with their ids. An image that cannot be read is reported by name and
 * skipped (unless {@code --fail-fast}); the exit code is then {@link #SOME_IMAGES_FAILED}.
 */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = {"Detects objects in images with a saved model: image files, folders (searched recursively for "
                + "jpg/jpeg/png/bmp/tif/tiff/webp files) or a dataset's images "
                + "(--data with --split/--images). Writes <name>.png with boxes, class names and scores drawn "
                + "(folders: mirrored under --out), detections.json (COCO results) and images.json (the image id "
                + "of each file).",
                "An image that cannot be read is named on stderr and skipped; the others are processed and the "
                        + "exit code is 3 (--fail-fast: stop at the first one, exit code 2)."})
public final class DetectCommand implements Callable<Integer> {

    /** Exit code when every image was processed except some that could not be read (named on stderr). */
    public static final int SOME_IMAGES_FAILED = 3;
    static final List<String> IMAGE_EXTENSIONS = List.of("jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp");

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "model file (model.zip from train "
            + "or demo, or from import-torchvision)")
    Path model;

    @Option(names = "--threshold", defaultValue = "0.5", description = "minimum score (default: ${DEFAULT-VALUE})")
    float threshold;

    @Option(names = "--out", defaultValue = "retinanet-output/detect", paramLabel = "DIR",
            description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--fail-fast", description = "stop at the first image that cannot be read (exit code 2)")
    boolean failFast;

    @Option(names = "--no-drawings", description = "write no PNG files")
    boolean noDrawings;

    @Mixin
    DatasetOptions dataset;

    @Parameters(arity = "0..*", paramLabel = "IMAGE|DIR", description = "image files and folders")
    List<Path> inputs = new ArrayList<>();

    @Spec
    CommandSpec spec;

    /** An image to run on: its file, the dataset's image id (or its position), and its output name. */
    private record Job(Path file, long imageId, Path outputName) {
    }

    @Override
    public Integer call() throws Exception {
        CliChecks.existingFile(model, "--model");
        CliChecks.outputFolder(out, "--out");
        if (!(threshold >= 0 && threshold < 1)) {
            throw new IllegalArgumentException("--threshold must be in [0, 1), got " + threshold);
        }
        if (inputs.isEmpty() && !dataset.given()) {
            throw new IllegalArgumentException("give image files or folders, or a dataset with --data");
        }
        List<Job> jobs = jobs();
        if (jobs.isEmpty()) {
            throw new IllegalArgumentException("no image files (" + String.join(", ", IMAGE_EXTENSIONS) + ") in "
                    + inputs);
        }
        SavedModel saved = ModelBundle.load(model);
        Detector detector = new Detector(saved, saved.metadata().spec().decoder().withScoreThreshold(threshold));
        Files.createDirectories(out);
        PrintWriter console = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CocoDetections results = new CocoDetections();
        int[] categoryIds = saved.metadata().categoryIds();
        RgbImageDecoder decoder = new RgbImageDecoder();
        List<Job> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Job job : jobs) {
            RgbImage image;
            try {
                image = decoder.decode(job.file());
            } catch (IOException e) {
                if (failFast) {
                    throw e;
                }
                failed.add(job.file().toString());
                err.println("skipped: " + e.getMessage());
                err.flush();
                continue;
            }
            List<Detection> dets = detector.detectImages(List.of(image)).get(0);
            console.printf(Locale.ROOT, "%s: %d detections%n", job.file(), dets.size());
            for (Detection d : dets) {
                console.printf(Locale.ROOT, "  %-16s %.3f  [%.1f, %.1f, %.1f, %.1f]%n", d.className(), d.score(),
                        d.x1(), d.y1(), d.x2(), d.y2());
                results.add(job.imageId(), categoryIds[d.classIndex()], d.x1(), d.y1(), d.width(), d.height(),
                        d.score());
            }
            if (!noDrawings) {
                Path png = out.resolve(job.outputName());
                Files.createDirectories(png.getParent());
                DetectionPainter.writePng(toBufferedImage(image), dets, png);
            }
            done.add(job);
        }
        Path json = out.resolve("detections.json");
        CocoResultsWriter.write(results, json);
        writeImageList(done, out.resolve("images.json"));
        console.printf(Locale.ROOT, "wrote detections.json and images.json%s to %s: %d images%s%n",
                !noDrawings ? " and " + done.size() + " PNG files" : "", out, done.size(),
                failed.isEmpty() ? "" : ", " + failed.size() + " could not be read");
        console.flush();
        if (!failed.isEmpty()) {
            err.printf(Locale.ROOT, "%d of %d images could not be read: %s%n", failed.size(), jobs.size(),
                    String.join(", ", failed));
            err.flush();
            return SOME_IMAGES_FAILED;
        }
        return 0;
    }

    private List<Job> jobs() throws IOException {
        List<Job> jobs = new ArrayList<>();
        Set<Path> names = new HashSet<>();
        if (dataset.given()) {
            DetectionDataset d = dataset.read();
            for (int i = 0; i < d.numImages(); i++) {
                jobs.add(new Job(d.imagePath(i), d.imageId(i), unique(names, Path.of(d.fileName(i)))));
            }
        }
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                for (Path f : imageFiles(p)) {
                    jobs.add(new Job(f, jobs.size() + 1, unique(names, p.relativize(f))));
                }
            } else {
                CliChecks.existingFile(p, "IMAGE");
                jobs.add(new Job(p, jobs.size() + 1, unique(names, p.getFileName())));
            }
        }
        return jobs;
    }

    /** Image files under {@code dir}, recursively, by extension (any case), sorted. */
    static List<Path> imageFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(DetectCommand::isImageName).sorted().toList();
        }
    }

    private static boolean isImageName(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1));
    }

    /** {@code name} with its extension replaced by .png, made unique among the outputs so far. */
    private static Path unique(Set<Path> taken, Path name) {
        String stem = name.toString().replaceFirst("\\.[^./]+$", "");
        Path candidate = Path.of(stem + ".png");
        for (int k = 2; !taken.add(candidate); k++) {
            candidate = Path.of(stem + "_" + k + ".png");
        }
        return candidate;
    }

    private static BufferedImage toBufferedImage(RgbImage image) {
        BufferedImage img = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                img.setRGB(x, y, image.get(x, y, 0) << 16 | image.get(x, y, 1) << 8 | image.get(x, y, 2));
            }
        }
        return img;
    }

    private static void writeImageList(List<Job> jobs, Path file) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(file.toFile(), com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            for (Job j : jobs) {
                g.writeStartObject();
                g.writeNumberField("id", j.imageId());
                g.writeStringField("file_name", j.file().toString());
                g.writeStringField("drawn", j.outputName().toString());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }
}
