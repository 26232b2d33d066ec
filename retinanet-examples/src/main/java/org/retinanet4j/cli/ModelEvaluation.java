package org.retinanet4j.cli;

import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.eval.CocoDetections;
import org.retinanet4j.eval.CocoEvalResult;
import org.retinanet4j.eval.CocoEvaluator;
import org.retinanet4j.eval.CocoGroundTruth;
import org.retinanet4j.inference.CocoResultsWriter;
import org.retinanet4j.inference.DatasetDetections;
import org.retinanet4j.inference.Detector;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.SavedModel;

import java.io.IOException;
import java.nio.file.Path;

/** The model mode of {@code evaluate}: run a saved model over a COCO dataset and evaluate its detections. */
final class ModelEvaluation {

    private ModelEvaluation() {
    }

    static CocoEvalResult run(Path model, Path annotations, Path images, Path resultsOut, int batch)
            throws IOException {
        CliChecks.existingFile(model, "--model");
        SavedModel saved = ModelBundle.load(model);   // first: a wrong model file should not wait for the dataset
        DetectionDataset dataset = DatasetArguments.read(annotations, images, "coco", null, null, "--annotations");
        if (saved.metadata().numClasses() != dataset.categories().size()) {
            throw new IllegalArgumentException(model + " detects " + saved.metadata().numClasses() + " classes "
                    + saved.metadata().classNames() + " but " + annotations + " has " + dataset.categories().size());
        }
        Detector detector = TrainingPipeline.evaluationDetector(saved.graph(), saved.metadata());
        CocoDetections dets = DatasetDetections.run(detector, dataset, batch);
        if (resultsOut != null) {
            CocoResultsWriter.write(dets, resultsOut);
        }
        return new CocoEvaluator().evaluate(CocoGroundTruth.fromDataset(dataset), dets);
    }
}
