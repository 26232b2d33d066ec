package org.retinanet4j.bench;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.datavec.api.writable.Writable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.data.records.DetectionRecordReader;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.spark.BatchRecipe;
import org.retinanet4j.spark.SparkContexts;
import org.retinanet4j.spark.SparkRecords;
import org.retinanet4j.spark.SparkTrainer;
import org.retinanet4j.spark.SparkTrainingSettings;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.Trainer;
import org.retinanet4j.train.TrainerConfig;
import org.retinanet4j.train.TrainingData;
import org.retinanet4j.train.TrainingResult;
import org.retinanet4j.zoo.RetinaNet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Training throughput from images on disk (decode, batching and targets included), the small RetinaNet at
 * {@code size} on synthetic shapes: one local worker (the {@code Trainer} with its loader thread) against Spark on
 * {@code local[N]} ({@code SparkTrainer}, parameter averaging every {@code f} steps). Each run trains
 * {@code iterations} optimiser steps after one warm-up run of a few steps; images per second = images fitted / wall time
 * of the measured run (Spark: records to the driver's final parameters, every averaging round included).
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.SparkTrainingBenchmark ./retinanet [master=local[2]] [size=128]
 *     [batch=4] [images=64] [iterations=16] [frequencies=1,4]</pre>
 */
public final class SparkTrainingBenchmark {

    private SparkTrainingBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = new java.util.HashMap<>();
        for (String a : args) {
            String[] kv = a.split("=", 2);
            opt.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        String master = opt.getOrDefault("master", "local[2]");
        int size = Integer.parseInt(opt.getOrDefault("size", "128"));
        int batch = Integer.parseInt(opt.getOrDefault("batch", "4"));
        int images = Integer.parseInt(opt.getOrDefault("images", "64"));
        int iterations = Integer.parseInt(opt.getOrDefault("iterations", "16"));
        String[] frequencies = opt.getOrDefault("frequencies", "1,4").split(",");
        Path tmp = Files.createTempDirectory("spark-bench");
        try {
            ShapesDataset out = new ShapesDatasetGenerator(new ShapesConfig(images, 1, size, size / 5, size / 2, 3,
                    0.1, 0.5, 1)).generate(tmp);
            DetectionDataset train = new CocoInstancesReader().read(out.trainAnnotations(), out.trainImages());
            int base = Math.max(8, size / 16);
            AnchorConfig tv = AnchorConfig.torchvisionDefault();
            AnchorConfig anchors = new AnchorConfig(new int[] {base, 2 * base, 4 * base, 8 * base, 16 * base},
                    tv.scales(), tv.aspectRatios(), tv.firstLevel());
            RetinaNet zoo = RetinaNet.smallBuilder(train.categories().size()).inputShape(3, size, size)
                    .anchors(anchors).seed(3).build();
            ModelMetadata md = ModelMetadata.of(zoo.spec(), List.of(train.categories().names()), new int[] {1, 3, 7});
            System.out.printf(Locale.ROOT, "small RetinaNet %dx%d, batch %d, %d training images, %d steps per run, "
                    + "%d processors%n", size, size, batch, images, iterations, Runtime.getRuntime().availableProcessors());

            local(md, train, batch, 2);                                     // warm-up
            double localRate = local(md, train, batch, iterations);
            System.out.printf(Locale.ROOT, "local, 1 worker: %.1f images/s%n", localRate);

            JavaSparkContext sc = SparkContexts.open(master, "spark-bench", Duration.ofSeconds(60));
            try {
                JavaRDD<List<Writable>> records = SparkRecords.of(sc, new DetectionRecordReader(train),
                        sc.defaultParallelism());
                spark(sc, md, records, batch, 1, 2);                       // warm-up
                for (String f : frequencies) {
                    int freq = Integer.parseInt(f.trim());
                    double rate = spark(sc, md, records, batch, freq, iterations);
                    System.out.printf(Locale.ROOT, "Spark %s, %d workers, averaging every %d steps: %.1f images/s%n",
                            master, sc.defaultParallelism(), freq, rate);
                }
            } finally {
                sc.stop();
            }
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static TrainerConfig config(int iterations) {
        return TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-3).weightDecay(0).warmup(0, 1)
                .maxIterations(iterations).checkpointEvery(0).seed(3).build();
    }

    private static ComputationGraph graph(ModelMetadata md) {
        return RetinaNet.from(md.spec()).seed(3).build().init();
    }

    private static double local(ModelMetadata md, DetectionDataset train, int batch, int iterations) {
        try (RetinaNetIterator it = BatchRecipe.forTraining(md.spec(), 3).localIterator(train)
                .batchSize(batch).loaderThreads(1).build()) {
            TrainingData data = new TrainingData() {
                @Override
                public org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator epoch(int epoch) {
                    it.startAt(epoch, 0);
                    return it;
                }
            };
            long t0 = System.nanoTime();
            TrainingResult r = new Trainer(config(iterations), md).fit(graph(md), data);
            return r.state().imagesSeen() / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static double spark(JavaSparkContext sc, ModelMetadata md, JavaRDD<List<Writable>> records, int batch,
                                int frequency, int iterations) {
        long t0 = System.nanoTime();
        TrainingResult r = new SparkTrainer(sc, config(iterations), md, SparkTrainingSettings.averaging(batch, frequency))
                .fit(graph(md), records, "shapes");
        return r.state().imagesSeen() / ((System.nanoTime() - t0) / 1e9);
    }
}
