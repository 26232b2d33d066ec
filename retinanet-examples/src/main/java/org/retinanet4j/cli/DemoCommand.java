package org.retinanet4j.cli;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.decode.Detection;
import org.retinanet4j.eval.CocoEvalResult;
import org.retinanet4j.eval.CocoEvaluator;
import org.retinanet4j.eval.CocoGroundTruth;
import org.retinanet4j.eval.CocoDetections;
import org.retinanet4j.inference.CocoResultsWriter;
import org.retinanet4j.inference.DatasetDetections;
import org.retinanet4j.inference.DetectionPainter;
import org.retinanet4j.inference.Detector;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.train.ConsoleProgress;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.Trainer;
import org.retinanet4j.train.TrainerConfig;
import org.retinanet4j.train.TrainingResult;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.zoo.RetinaNet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.imageio.ImageIO;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code retinanet demo}: the whole story on a synthetic shapes dataset in a few minutes on a CPU: write the data,
 * train the small configuration for a bounded time, evaluate with the COCO metrics, and write detections (PNG and
 * COCO results JSON) into an output folder.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Trains a small RetinaNet on a synthetic shapes dataset (squares, circles, triangles) for a "
                + "bounded time, evaluates it with the COCO metrics and writes detections into an output folder.",
                "Needs no arguments; at most 6 minutes of training on a 2-core CPU."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: ${DEFAULT-VALUE})",
            defaultValue = "retinanet-output/demo")
    Path out;

    @Option(names = "--minutes", description = "training time limit in minutes (default: ${DEFAULT-VALUE})",
            defaultValue = "6")
    double minutes;

    @Option(names = "--iterations", description = "training iterations (default: ${DEFAULT-VALUE}; the time limit "
            + "may stop earlier, and then the learning-rate step at 80%% moves to 80%% of the iterations it allows)",
            defaultValue = "1200")
    int iterations;

    @Option(names = "--train-images", defaultValue = "1000", description = "synthetic training images (default: ${DEFAULT-VALUE})")
    int trainImages;

    @Option(names = "--val-images", defaultValue = "100", description = "synthetic validation images (default: ${DEFAULT-VALUE})")
    int valImages;

    @Option(names = "--size", defaultValue = "128", description = "image and network input size in pixels, a "
            + "multiple of 128 (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--batch", defaultValue = "8", description = "images per batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--width", defaultValue = "" + RetinaNet.SMALL_WIDTH, description = "FPN and head channels (default: ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--head-depth", defaultValue = "" + RetinaNet.SMALL_HEAD_DEPTH, description = "3x3 convolutions per head before the "
            + "predictor (default: ${DEFAULT-VALUE})")
    int headDepth;

    @Option(names = "--workers", defaultValue = "1", description = "ParallelWrapper workers (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--seed", defaultValue = "7", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--drawn", defaultValue = "8", description = "validation images to draw (default: ${DEFAULT-VALUE})")
    int drawn;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CliChecks.outputFolder(out, "--out");
        if (size % RetinaNetSpec.PADDING_MULTIPLE != 0 || size < RetinaNetSpec.PADDING_MULTIPLE) {
            throw new IllegalArgumentException("--size must be a multiple of " + RetinaNetSpec.PADDING_MULTIPLE
                    + ", got " + size);
        }
        PrintWriter console = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        // shapes scale with the image: the demo defaults (32..112 px at 256) halved at 128
        int minObject = Math.max(12, size / 8);
        int maxObject = Math.max(minObject, size * 7 / 16);
        ShapesConfig shapes = ShapesConfig.defaults(trainImages, valImages, seed).withImageSize(size, minObject, maxObject);
        ShapesDataset data = new ShapesDatasetGenerator(shapes).generate(out.resolve("shapes"));
        DetectionDataset train = new CocoInstancesReader().read(data.trainAnnotations(), data.trainImages());
        DetectionDataset val = new CocoInstancesReader().read(data.valAnnotations(), data.valImages());
        console.printf(Locale.ROOT, "dataset: %d train + %d val images (%dx%d) in %s%n", train.numImages(),
                val.numImages(), size, size, data.root());
        console.flush();

        RetinaNet zoo = RetinaNet.smallBuilder(train.categories().size()).inputShape(3, size, size)
                .anchors(demoAnchors(size)).fpnWidth(width).headWidth(width).headDepth(headDepth).seed(seed).build();
        ComputationGraph graph = zoo.init();
        ModelMetadata md = TrainingPipeline.metadata(train.categories(), zoo.spec());
        TrainerConfig config = TrainerConfig.builder()
                .optimizer(OptimizerKind.ADAM).learningRate(lr).weightDecay(0)
                .warmup(Math.min(100, iterations / 10), 0.01)
                .stepDecay(0.1, (int) (iterations * 0.8))
                .gradientClipL2(10)
                .maxIterations(iterations)
                .maxDuration(Duration.ofMillis((long) (minutes * 60_000))).fitMilestonesToTime(true)
                .workers(workers).seed(seed).build();
        TrainingResult result;
        try (RetinaNetIterator it = TrainingPipeline.trainIterator(train, md.spec(), batch, seed, 1);
             ConsoleProgress progress = ConsoleProgress.forStandardError()) {
            result = new Trainer(config, md).progress(progress).fit(graph, TrainingPipeline.trainingData(it));
        }
        console.printf(Locale.ROOT, "trained %d iterations (%s) in %.1f min, %.1f images/s, last loss %.4f%n",
                result.state().iteration(), result.stopReason(), result.elapsed().toMillis() / 60000.0,
                result.imagesPerSecond(), result.lastLoss());
        Path modelFile = out.resolve("model.zip");
        ModelBundle.save(modelFile, new SavedModel(graph, md));

        Detector evalDetector = TrainingPipeline.evaluationDetector(graph, md);
        CocoDetections dets = DatasetDetections.run(evalDetector, val, batch);
        CocoEvalResult eval = new CocoEvaluator().evaluate(CocoGroundTruth.fromDataset(val), dets);
        console.println();
        console.print(eval.summaryTable());
        console.println();
        Path results = out.resolve("val_results.json");
        CocoResultsWriter.write(dets, results);
        Path drawnDir = out.resolve("detections");
        Files.createDirectories(drawnDir);
        Detector detector = new Detector(new SavedModel(graph, md), md.spec().decoder().withScoreThreshold(0.5));
        for (int i = 0; i < Math.min(drawn, val.numImages()); i++) {
            Path img = val.imagePath(i);
            List<Detection> d = detector.detect(img);
            DetectionPainter.writePng(ImageIO.read(img.toFile()), d, drawnDir.resolve(img.getFileName().toString()));
        }
        double total = (System.nanoTime() - t0) / 60e9;
        console.printf(Locale.ROOT, "%nAP50 on the validation split: %.3f, AP: %.3f (total %.1f min)%n",
                eval.stats().ap50(), eval.stats().ap(), total);
        console.printf("output: %s (model.zip, val_results.json, detections/*.png)%n", out.toAbsolutePath());
        console.flush();
        return 0;
    }

    /** Anchor sizes scaled with the input so the demo's objects match P3..P7 as 32..512 match 800-px images. */
    static AnchorConfig demoAnchors(int size) {
        int base = Math.max(8, size / 16);
        return AnchorConfig.torchvisionDefault().withBaseSizes(base, base * 2, base * 4, base * 8, base * 16);
    }
}
