package org.retinanet4j.inference;

import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.data.iterator.SampleMetadata;
import org.retinanet4j.decode.Detection;
import org.retinanet4j.eval.CocoDetections;
import org.retinanet4j.preprocess.ResizeInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link Detector} over a whole dataset through the data pipeline's evaluation iterator (prepared as the
 * detector's model spec says) and collects COCO-style detections (category ids mapped back through the model's
 * metadata).
 */
public final class DatasetDetections {

    private DatasetDetections() {
    }

    public static CocoDetections run(Detector detector, DetectionDataset dataset, int batchSize) {
        CocoDetections out = new CocoDetections();
        int[] categoryIds = detector.metadata().categoryIds();
        try (RetinaNetIterator it = RetinaNetIterator.builder(dataset, detector.spec())
                .batchSize(batchSize)
                .training(false)
                .loaderThreads(1)
                .build()) {
            while (it.hasNext()) {
                MultiDataSet batch = it.next();
                List<SampleMetadata> meta = it.lastBatchMetadata();
                List<ResizeInfo> infos = new ArrayList<>(meta.size());
                for (SampleMetadata m : meta) {
                    infos.add(m.resizeInfo());
                }
                List<List<Detection>> dets = detector.detect(batch.getFeatures(0), infos);
                for (int i = 0; i < meta.size(); i++) {
                    for (Detection d : dets.get(i)) {
                        out.add(meta.get(i).imageId(), categoryIds[d.classIndex()], d.x1(), d.y1(),
                                d.x2() - d.x1(), d.y2() - d.y1(), d.score());
                    }
                }
            }
        }
        return out;
    }
}
