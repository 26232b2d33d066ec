package org.retinanet4j.data.iterator;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.retinanet4j.data.image.InputBatch;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.data.image.ResizedImage;
import org.retinanet4j.preprocess.ResizeInfo;
import org.retinanet4j.targets.GroundTruth;
import org.retinanet4j.targets.RetinaNetTargets;
import org.retinanet4j.targets.TargetBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Stacks loaded samples into one minibatch: images through the model's {@link InputBatcher} into
 * {@code [N, 3, H, W]} (mirrored where flipped, normalised, zero-padded to the batch's largest image), and labels
 * {@code [classTargets, boxTargets]} from the {@link TargetBuilder} (crowd and difficult boxes passed as crowd
 * regions). Without a target builder the batch has no labels (inference).
 */
public final class BatchAssembler {

    private final InputBatcher batcher;
    private final TargetBuilder targets;

    public BatchAssembler(InputBatcher batcher, TargetBuilder targets) {
        this.batcher = batcher;
        this.targets = targets;
    }

    public MultiDataSet assemble(List<LoadedSample> samples) {
        int n = samples.size();
        List<ResizedImage> images = new ArrayList<>(n);
        List<GroundTruth> truths = new ArrayList<>(n);
        for (LoadedSample s : samples) {
            images.add(s.image());
            truths.add(new GroundTruth(s.boxes(), s.labels(), s.ignore()));
        }
        InputBatch batch = batcher.batch(images);
        List<SampleMetadata> meta = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            LoadedSample s = samples.get(i);
            ResizeInfo g = batch.geometry().get(i);
            meta.add(new SampleMetadata(s.imageIndex(), s.imageId(), s.flipped(), g.originalHeight(),
                    g.originalWidth(), g.resizedHeight(), g.resizedWidth(), g.paddedHeight(), g.paddedWidth()));
        }
        INDArray images4d = batch.images();
        MultiDataSet mds;
        if (targets != null) {
            RetinaNetTargets t = targets.build(truths, (int) images4d.size(2), (int) images4d.size(3));
            mds = new MultiDataSet(new INDArray[] {images4d}, new INDArray[] {t.classTargets(), t.boxTargets()});
        } else {
            mds = new MultiDataSet(new INDArray[] {images4d}, new INDArray[0]);
        }
        mds.setExampleMetaData(meta);
        return mds;
    }
}
