package org.retinanet4j.spark;

import org.datavec.api.writable.Writable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.records.DetectionRecordReader;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.persist.AnchorSettings;
import org.retinanet4j.persist.DecoderSettings;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.TrainerConfig;
import org.retinanet4j.zoo.RetinaNet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Synthetic shapes at 128x128, the small RetinaNet, and anchors sized for it: the Spark tests' common ground. */
final class SparkFixtures {
    static final int SIZE = 128;

    private SparkFixtures() {
    }

    static DetectionDataset shapes(Path dir, int images, long seed) throws IOException {
        return shapes(dir, images, seed, 0.0);
    }

    static DetectionDataset shapes(Path dir, int images, long seed, double emptyFraction) throws IOException {
        ShapesDataset d = new ShapesDatasetGenerator(new ShapesConfig(images, 1, SIZE, 24, 64, 2, emptyFraction, 0.0,
                seed)).generate(dir);
        return new CocoInstancesReader().read(d.trainAnnotations(), d.trainImages());
    }

    /** Anchors 16..256 px over P3..P7 (objects of 24..64 px at 128x128). */
    static ModelMetadata metadata(DetectionDataset d) {
        AnchorSettings anchors = new AnchorSettings(new int[] {16, 32, 64, 128, 256},
                AnchorSettings.torchvisionDefault().scales(), AnchorSettings.torchvisionDefault().aspectRatios());
        int[] ids = new int[d.categories().size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) d.categories().categoryId(i);
        }
        return new ModelMetadata(List.of(d.categories().names()), ids, SIZE, SIZE, ModelMetadata.IMAGENET_MEAN,
                ModelMetadata.IMAGENET_STD, anchors, DecoderSettings.paperDefault(), "test", Map.of());
    }

    static ComputationGraph smallGraph(int classes, long seed) {
        return RetinaNet.smallBuilder(classes).inputShape(3, SIZE, SIZE).seed(seed).build().init();
    }

    static TrainerConfig adam(int iterations) {
        return adam(iterations, 0);
    }

    static TrainerConfig adam(int iterations, int checkpointEvery) {
        return TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-3).weightDecay(0)
                .warmup(0, 1).maxIterations(iterations).checkpointEvery(checkpointEvery).seed(7).build();
    }

    static List<List<Writable>> records(DetectionDataset d) {
        DetectionRecordReader reader = new DetectionRecordReader(d);
        List<List<Writable>> out = new ArrayList<>();
        for (int i = 0; i < reader.numRecords(); i++) {
            out.add(reader.record(i));
        }
        return out;
    }
}
