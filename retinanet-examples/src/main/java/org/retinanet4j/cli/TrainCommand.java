package org.retinanet4j.cli;

import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.ImageFolderCheck;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.eval.CocoEvalResult;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.train.Checkpoint;
import org.retinanet4j.train.CheckpointManager;
import org.retinanet4j.train.ConsoleProgress;
import org.retinanet4j.train.NonFinitePolicy;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.Trainer;
import org.retinanet4j.train.TrainerConfig;
import org.retinanet4j.train.TrainingResult;
import org.retinanet4j.spark.SparkContexts;
import org.retinanet4j.spark.SparkRecords;
import org.retinanet4j.spark.SparkTrainer;
import org.retinanet4j.spark.SparkTrainingSettings;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.zoo.RetinaNet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.datavec.api.writable.Writable;
import org.retinanet4j.data.records.DetectionRecordReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code retinanet train}: trains RetinaNet on a COCO, VOC or CSV dataset, with checkpoints under
 * {@code OUT/checkpoints} ({@code --resume} continues from the newest intact one) and the final model in
 * {@code OUT/model.zip}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains RetinaNet on your dataset (--data: a COCO instances JSON, a VOC folder or a CSV file) "
                + "with its own classes. Writes OUT/model.zip and checkpoints in OUT/checkpoints.",
                "Defaults follow the paper: SGD momentum 0.9, weight decay 1e-4, lr 0.01 per 16 images, warm-up, "
                        + "x0.1 at 2/3 and 8/9 of the run."})
public final class TrainCommand implements Callable<Integer> {

    @Mixin
    DatasetOptions dataset;

    @Option(names = "--train", hidden = true, paramLabel = "PATH", description = "the former name of --data")
    void legacyTrain(Path p) {
        dataset.data = p;
    }

    @Option(names = "--val", paramLabel = "PATH", description = "validation set in the same format (VOC: default the "
            + "--data folder when --val-split is given)")
    Path val;

    @Option(names = "--val-images", paramLabel = "DIR", description = "COCO: image folder of the validation set "
            + "(default: the JSON's folder)")
    Path valImages;

    @Option(names = "--val-split", paramLabel = "NAME", description = "VOC: validation split, "
            + "ImageSets/Main/NAME.txt")
    String valSplit;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--backbone", paramLabel = "NAME", description = "small (ResNet-18, narrow FPN/heads), "
            + "resnet18, resnet34, resnet50 or resnet101 (default: small; with --weights, the architecture of the "
            + "weights)")
    String backbone;

    @Option(names = "--size", paramLabel = "S", description = "input size (shorter side), a multiple of 128 "
            + "(default: 512; with --weights of a saved model, its input size)")
    Integer size;

    @Option(names = AnchorSizes.OPTION, split = ",", paramLabel = "S3,..,S7", description = AnchorSizes.DESCRIPTION)
    int[] anchorSizes;

    @Option(names = "--weights", paramLabel = "FILE", description = "start from these weights: a model saved by "
            + "train (model.zip), a torchvision RetinaNet or an ImageNet ResNet (.pth or .npz). Layers that match are "
            + "copied; the class predictor starts afresh when the classes differ")
    Path weights;

    @Option(names = "--trainable-layers", paramLabel = "N", description = "backbone stages that train, counted as "
            + "torchvision's trainable_backbone_layers: the last N of stem, layer1..layer4 (0..5; default: 3 with "
            + "--weights and frozen BatchNorm, else 5)")
    Integer trainableLayers;

    @Option(names = "--freeze-backbone", description = "freeze the whole backbone (--trainable-layers 0)")
    boolean freezeBackbone;

    @Option(names = "--bn", paramLabel = "MODE", description = "BatchNorm: frozen (statistics fixed, folded into "
            + "the convolutions) or trainable (default: frozen with --weights, else trainable)")
    String bn;

    @Option(names = "--epochs", defaultValue = "12", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch", defaultValue = "2", description = "images per batch per worker (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--workers", defaultValue = "1", description = "ParallelWrapper workers, one per GPU "
            + "(default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd, adam or adamw (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--lr", description = "learning rate (default: 0.01 x total batch / 16 for sgd, 1e-4 for adam)")
    Double lr;

    @Option(names = "--max-iterations", paramLabel = "N", description = "stop after N iterations; the learning-rate "
            + "schedule (warm-up, steps at 2/3 and 8/9) spans them (default: --epochs decide)")
    Integer maxIterations;

    @Option(names = "--minutes", paramLabel = "M", description = "stop after M minutes of training (checkpoint and "
            + "model written as at the end of a run; the schedule stays that of the epochs unless "
            + "--fit-schedule-to-minutes)")
    Double minutes;

    @Option(names = "--fit-schedule-to-minutes", description = "with --minutes: when the time limit would stop the "
            + "run before its iterations, move the learning-rate steps to the same shares of the iterations it is "
            + "projected to reach (one device; docs/training.md)")
    boolean fitScheduleToMinutes;

    @Option(names = "--checkpoint-every", defaultValue = "500", description = "iterations between checkpoints "
            + "(default: ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--keep", defaultValue = "3", description = "checkpoints kept (default: ${DEFAULT-VALUE})")
    int keep;

    @Option(names = "--validate-every", defaultValue = "0", description = "iterations between validation runs "
            + "(0: at the end only)")
    int validateEvery;

    @Option(names = "--resume", description = "continue from the newest intact checkpoint in OUT/checkpoints")
    boolean resume;

    @Option(names = "--skip-nan", description = "skip batches whose loss is NaN/Inf instead of stopping")
    boolean skipNan;

    @Option(names = "--stats", paramLabel = "FILE", description = "record DL4J UI statistics (StatsListener) to FILE")
    Path stats;

    @Option(names = "--seed", defaultValue = "42", description = "seed for initialisation and data order")
    long seed;

    @Option(names = "--spark", paramLabel = "MASTER", description = "train on Spark (DL4J's SparkComputationGraph): "
            + "local[N], spark://host:port, yarn, ..., or spark-submit for the master spark-submit was given")
    String spark;

    @Option(names = "--averaging-frequency", defaultValue = "5", description = "with --spark: steps each worker "
            + "takes between parameter averagings (default: ${DEFAULT-VALUE})")
    int averagingFrequency;

    @Option(names = "--training-master", defaultValue = "averaging", description = "with --spark: averaging "
            + "(ParameterAveragingTrainingMaster) or shared (SharedTrainingMaster, see docs/training.md)")
    String trainingMaster;

    @Option(names = "--spark-wait", defaultValue = "120", description = "with --spark: seconds to wait for the "
            + "first executor of a cluster (default: ${DEFAULT-VALUE})")
    int sparkWait;

    @Spec
    CommandSpec spec;

    /** The model's BatchNorm and trainable backbone layers, from --bn, --trainable-layers, --freeze-backbone. */
    private BatchNormMode bnMode;
    private int trainable;

    @Override
    public Integer call() throws Exception {
        CliChecks.outputFolder(out, "--out");
        if (size != null && (size < RetinaNetSpec.PADDING_MULTIPLE || size % RetinaNetSpec.PADDING_MULTIPLE != 0)) {
            throw new IllegalArgumentException("--size must be a positive multiple of " + RetinaNetSpec.PADDING_MULTIPLE
                    + ", got " + size);
        }
        if (freezeBackbone && trainableLayers != null && trainableLayers != 0) {
            throw new IllegalArgumentException("--freeze-backbone and --trainable-layers " + trainableLayers
                    + " contradict each other; give one");
        }
        if (trainableLayers != null && (trainableLayers < 0 || trainableLayers > 5)) {
            throw new IllegalArgumentException("--trainable-layers must be 0..5 (torchvision's count: the last N of "
                    + "stem, layer1..layer4), got " + trainableLayers);
        }
        if (resume && weights != null) {
            throw new IllegalArgumentException("--resume continues a run from its checkpoint; --weights starts a new "
                    + "one: give one of them");
        }
        if (anchorSizes != null && (resume || weights != null)) {
            throw new IllegalArgumentException(AnchorSizes.OPTION + " sets the anchors of a new model; "
                    + (resume ? "--resume continues the checkpoint's model" : "--weights starts from the model in "
                    + weights) + " with the anchors it was trained with");
        }
        AnchorSizes.config(anchorSizes); // checked before any data is read
        bnMode = parseBatchNorm(bn, weights != null);
        // torchvision's default with pretrained weights is 3; TRAINABLE BatchNorm can only freeze the stem
        trainable = freezeBackbone ? 0 : trainableLayers != null ? trainableLayers
                : weights != null && bnMode == BatchNormMode.FROZEN ? 3 : 5;
        if (workers < 1 || batch < 1 || epochs < 1) {
            throw new IllegalArgumentException("--workers, --batch and --epochs must be at least 1");
        }
        if (maxIterations != null && maxIterations < 1 || minutes != null && !(minutes > 0)) {
            throw new IllegalArgumentException("--max-iterations and --minutes must be positive");
        }
        if (fitScheduleToMinutes && (minutes == null || workers > 1 || spark != null)) {
            throw new IllegalArgumentException("--fit-schedule-to-minutes needs --minutes and one device (no "
                    + "--workers above 1, no --spark)");
        }
        OptimizerKind kind = parseOptimizer(optimizer);
        SparkTrainingSettings sparkSettings = spark == null ? null : sparkSettings();
        DetectionDataset trainSet = dataset.read();
        PrintWriter console = spec.commandLine().getOut();
        console.printf(Locale.ROOT, "training on %s: %s%n", trainSet,
                String.join(", ", trainSet.categories().names()));
        console.flush();
        Path valPath = val != null ? val : valSplit != null ? dataset.data : null;
        DetectionDataset valSet = valPath == null ? null : dataset.read(valPath, valImages, valSplit,
                trainSet.categories(), "the training data");
        // a wrong image folder is found now (after the annotations' own errors), not after every image of an epoch
        // was skipped one by one
        ImageFolderCheck.requireImages(trainSet, imagesOption(dataset.data, "--images"));
        if (valSet != null) {
            ImageFolderCheck.requireImages(valSet, imagesOption(valPath, "--val-images"));
        }
        CliChecks.writableFolder(out, "--out");

        JavaSparkContext sc = spark == null ? null
                : SparkContexts.open(spark, "retinanet train " + out.getFileName(), Duration.ofSeconds(sparkWait));
        try {
            return train(trainSet, valSet, console, kind, sc, sparkSettings);
        } finally {
            if (sc != null) {
                sc.stop();
            }
        }
    }

    private SparkTrainingSettings sparkSettings() {
        if (workers != 1) {
            throw new IllegalArgumentException("--workers (ParallelWrapper) and --spark are two ways to train on "
                    + "several workers; give one");
        }
        if (stats != null) {
            throw new IllegalArgumentException("--stats is not supported with --spark");
        }
        if (averagingFrequency < 1) {
            throw new IllegalArgumentException("--averaging-frequency must be at least 1, got " + averagingFrequency);
        }
        SparkTrainingSettings.MasterKind master = switch (trainingMaster.toLowerCase(Locale.ROOT)) {
            case "averaging" -> SparkTrainingSettings.MasterKind.PARAMETER_AVERAGING;
            case "shared" -> SparkTrainingSettings.MasterKind.SHARED_GRADIENTS;
            default -> throw new IllegalArgumentException("--training-master: unknown master '" + trainingMaster
                    + "' (use averaging or shared)");
        };
        return new SparkTrainingSettings(batch, averagingFrequency, 0, master);
    }

    private Integer train(DetectionDataset trainSet, DetectionDataset valSet, PrintWriter console, OptimizerKind kind,
                          JavaSparkContext sc, SparkTrainingSettings sparkSettings) throws Exception {
        CheckpointManager checkpoints = new CheckpointManager(out.resolve("checkpoints"), keep);
        int batchesPerEpoch = (trainSet.numImages() + batch - 1) / batch;
        // batches per optimiser step: ParallelWrapper's workers, or Spark's (one batch each per step)
        int parallel = sc != null ? sc.defaultParallelism() : workers;
        int steps = epochs * ((batchesPerEpoch + parallel - 1) / parallel);
        if (maxIterations != null) {
            steps = Math.min(steps, maxIterations);
        }
        double rate = lr != null ? lr : kind == OptimizerKind.SGD
                ? TrainerConfig.scaledLearningRate(TrainerConfig.PAPER_LR_PER_16_IMAGES, batch * parallel) : 1e-4;
        TrainerConfig config = TrainerConfig.builder().optimizer(kind).learningRate(rate)
                .warmup(Math.min(500, steps / 10), 1.0 / 1000)
                .stepDecay(0.1, steps * 2 / 3, steps * 8 / 9)
                // both bounds: the epochs decide, the iteration count gives the progress bar its total
                .maxEpochs(epochs).maxIterations(steps)
                .maxDuration(minutes == null ? null : Duration.ofMillis(Math.round(minutes * 60_000)))
                .fitMilestonesToTime(fitScheduleToMinutes)
                .workers(workers).checkpointEvery(checkpointEvery).keepLast(keep)
                .validationEvery(validateEvery).seed(seed)
                .nonFinitePolicy(skipNan ? NonFinitePolicy.SKIP : NonFinitePolicy.STOP).build();

        Checkpoint from = null;
        ComputationGraph graph;
        ModelMetadata md;
        if (resume) {
            from = checkpoints.loadLatest().orElseThrow(() -> new IllegalArgumentException("--resume: no usable "
                    + "checkpoint in " + checkpoints.directory()));
            graph = from.model().graph();
            md = from.model().metadata();
            console.printf(Locale.ROOT, "resuming from %s (iteration %d)%n", from.file(), from.state().iteration());
        } else if (weights != null) {
            RetinaNetSpec asked = backbone == null ? null
                    : modelBuilder(trainSet.categories().size(), size != null ? size : 512).build().spec();
            SavedModel start = StartingWeights.start(weights, trainSet.categories(), asked, size, bnMode, trainable,
                    seed, console);
            graph = start.graph();
            md = start.metadata();
        } else {
            RetinaNet zoo = modelBuilder(trainSet.categories().size(), size != null ? size : 512)
                    .batchNormMode(bnMode).trainableBackboneLayers(trainable).build();
            graph = zoo.init();
            md = TrainingPipeline.metadata(trainSet.categories(), zoo.spec());
        }
        Trainer trainer = new Trainer(config, md).checkpoints(checkpoints);
        if (valSet != null) {
            trainer.validation(TrainingPipeline.validation(md, valSet, batch));
        }
        if (stats != null) {
            CliChecks.outputFolder(stats.toAbsolutePath().getParent(), "--stats");
            Files.createDirectories(stats.toAbsolutePath().getParent());
            StatsStorage storage = new FileStatsStorage(stats.toFile());
            trainer.listener(new StatsListener(storage));
        }
        TrainingResult result;
        if (sc != null) {
            console.printf(Locale.ROOT, "Spark: %d workers, batch %d each, averaging every %d steps%n",
                    sc.defaultParallelism(), batch, sparkSettings.averagingFrequency());
            console.flush();
            SparkTrainer sparkTrainer = new SparkTrainer(sc, config, md, sparkSettings).checkpoints(checkpoints);
            JavaRDD<List<Writable>> records = SparkRecords.of(sc, new DetectionRecordReader(trainSet),
                    sc.defaultParallelism());
            try (ConsoleProgress progress = ConsoleProgress.forStandardError()) {
                sparkTrainer.progress(progress);
                result = from == null ? sparkTrainer.fit(graph, records, trainSet.source())
                        : sparkTrainer.resume(from, records, trainSet.source());
            }
        } else {
            try (RetinaNetIterator it = TrainingPipeline.trainIterator(trainSet, md.spec(), batch, seed, 2);
                 ConsoleProgress progress = ConsoleProgress.forStandardError()) {
                trainer.progress(progress);
                result = from == null ? trainer.fit(graph, TrainingPipeline.trainingData(it))
                        : trainer.resume(from, TrainingPipeline.trainingData(it));
            }
        }
        Path modelFile = out.resolve("model.zip");
        ModelBundle.save(modelFile, new SavedModel(result.graph(), md));
        console.printf(Locale.ROOT, "trained to iteration %d (%s) in %.1f min; model: %s%n",
                result.state().iteration(), result.stopReason(), result.elapsed().toMillis() / 60000.0, modelFile);
        if (valSet != null) {
            CocoEvalResult eval = TrainingPipeline.evaluate(result.graph(), md, valSet, batch);
            console.print(eval.summaryTable());
        }
        console.flush();
        return 0;
    }

    private RetinaNet.Builder modelBuilder(int numClasses, int inputSize) {
        String name = backbone == null ? "small" : backbone;
        RetinaNet.Builder b = "small".equals(name) ? RetinaNet.smallBuilder(numClasses)
                : RetinaNet.builder().numClasses(numClasses).backbone(name);
        return b.inputShape(3, inputSize, inputSize).anchors(AnchorSizes.config(anchorSizes)).seed(seed);
    }

    private static BatchNormMode parseBatchNorm(String name, boolean pretrained) {
        if (name == null) {
            return pretrained ? BatchNormMode.FROZEN : BatchNormMode.TRAINABLE;
        }
        try {
            return BatchNormMode.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--bn: unknown mode '" + name + "' (use frozen or trainable)");
        }
    }

    /** The option that sets the image folder of the dataset at {@code path}: only COCO has one. */
    private String imagesOption(Path path, String option) {
        return dataset.format(path) == DatasetOptions.Format.COCO ? option : null;
    }

    private static OptimizerKind parseOptimizer(String name) {
        try {
            return OptimizerKind.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--optimizer: unknown optimizer '" + name + "' (use sgd, adam or adamw)");
        }
    }
}
