package org.retinanet4j.cli;

import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.eval.CocoEvalResult;
import org.retinanet4j.eval.CocoEvaluator;
import org.retinanet4j.eval.CocoGroundTruth;
import org.retinanet4j.inference.DatasetDetections;
import org.retinanet4j.inference.Detector;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.spark.BatchRecipe;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.train.TrainingData;
import org.retinanet4j.train.ValidationHook;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.Arrays;
import java.util.List;

/**
 * Wires a dataset to the trainer: the model metadata (the model's spec and the dataset's classes), the training
 * iterator for that spec (shuffled and flipped per (seed, epoch), so resume replays the same batches) and COCO
 * validation. Shared by {@code demo} and {@code train}.
 */
final class TrainingPipeline {

    private TrainingPipeline() {
    }

    static ModelMetadata metadata(CategoryMap categories, RetinaNetSpec spec) {
        int[] ids = Arrays.stream(categories.categoryIds()).mapToInt(Math::toIntExact).toArray();
        return ModelMetadata.of(spec, List.of(categories.names()), ids);
    }

    /** The training iterator: the spec's {@link BatchRecipe} (shared with Spark's executors) over the dataset. */
    static RetinaNetIterator trainIterator(DetectionDataset train, RetinaNetSpec spec, int batch, long seed,
                                           int loaderThreads) {
        return BatchRecipe.forTraining(spec, seed).localIterator(train)
                .batchSize(batch)
                .loaderThreads(loaderThreads)
                .build();
    }

    /** Epoch e of the iterator, positioned by (seed, e); skipping needs no image decoding. */
    static TrainingData trainingData(RetinaNetIterator it) {
        return new TrainingData() {
            @Override
            public MultiDataSetIterator epoch(int epoch) {
                it.startAt(epoch, 0);
                return it;
            }

            @Override
            public void skip(MultiDataSetIterator iterator, int batches) {
                it.startAt(it.epoch(), batches);
            }
        };
    }

    /** COCO evaluation of a graph on a dataset (100 detections per image, as COCO scores them). */
    static CocoEvalResult evaluate(ComputationGraph graph, ModelMetadata md, DetectionDataset dataset, int batch) {
        Detector detector = evaluationDetector(graph, md);
        return new CocoEvaluator().evaluate(CocoGroundTruth.fromDataset(dataset),
                DatasetDetections.run(detector, dataset, batch));
    }

    /** The model as COCO evaluation runs it: its own spec, at most 100 detections per image. */
    static Detector evaluationDetector(ComputationGraph graph, ModelMetadata md) {
        return new Detector(new SavedModel(graph, md), evaluationDecoder(md));
    }

    static DecoderConfig evaluationDecoder(ModelMetadata md) {
        return md.spec().decoder().withDetectionsPerImage(DecoderConfig.COCO_EVAL_DETECTIONS_PER_IMAGE);
    }

    /** Validation hook reporting mAP@[.5:.95]. */
    static ValidationHook validation(ModelMetadata md, DetectionDataset val, int batch) {
        return graph -> evaluate(graph, md, val, batch).stats().ap();
    }
}
