package org.retinanet4j.spark;

import org.datavec.api.writable.Writable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.records.DetectionRecordReader;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.TrainerConfig;
import org.retinanet4j.zoo.RetinaNet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    /** The small RetinaNet at 128x128 with anchors 16..256 px over P3..P7 (objects of 24..64 px). */
    static RetinaNet.Builder small(int classes, long seed) {
        AnchorConfig tv = AnchorConfig.torchvisionDefault();
        return RetinaNet.smallBuilder(classes).inputShape(3, SIZE, SIZE)
                .anchors(new AnchorConfig(new int[] {16, 32, 64, 128, 256}, tv.scales(), tv.aspectRatios(),
                        tv.firstLevel()))
                .seed(seed);
    }

    static RetinaNetSpec spec(DetectionDataset d) {
        return small(d.categories().size(), 1).build().spec();
    }

    /** The metadata of {@link #spec(DetectionDataset)} with the dataset's classes. */
    static ModelMetadata metadata(DetectionDataset d) {
        int[] ids = new int[d.categories().size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) d.categories().categoryId(i);
        }
        return ModelMetadata.of(spec(d), List.of(d.categories().names()), ids);
    }

    static ComputationGraph smallGraph(int classes, long seed) {
        return small(classes, seed).build().init();
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
