package org.retinanet4j.cli;

import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.ImageFolderCheck;
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

/**
 * The model mode of {@code evaluate}: run a saved model over a dataset (COCO, VOC or CSV, read with the model's
 * classes) and evaluate its detections with the COCO metrics.
 */
final class ModelEvaluation {

    private ModelEvaluation() {
    }

    static CocoEvalResult run(Path model, DatasetOptions data, Path resultsOut, int batch)
            throws IOException {
        CliChecks.existingFile(model, "--model");
        SavedModel saved = ModelBundle.load(model);   // first: a wrong model file should not wait for the dataset
        DetectionDataset dataset = data.read(modelClasses(saved), "the model " + model.getFileName());
        // a wrong image folder is found now, not after every image was skipped one by one
        ImageFolderCheck.requireImages(dataset,
                data.format(data.data) == DatasetOptions.Format.COCO ? "--images" : null);
        Detector detector = TrainingPipeline.evaluationDetector(saved.graph(), saved.metadata());
        CocoDetections dets = DatasetDetections.run(detector, dataset, batch);
        if (resultsOut != null) {
            CocoResultsWriter.write(dets, resultsOut);
        }
        return new CocoEvaluator().evaluate(CocoGroundTruth.fromDataset(dataset), dets);
    }

    /** The model's classes with the category ids it writes into results. */
    static CategoryMap modelClasses(SavedModel saved) {
        int[] ids = saved.metadata().categoryIds();
        long[] longIds = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longIds[i] = ids[i];
        }
        return new CategoryMap(longIds, saved.metadata().classNames().toArray(new String[0]));
    }
}
