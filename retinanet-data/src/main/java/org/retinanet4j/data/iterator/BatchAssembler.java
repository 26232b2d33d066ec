package org.retinanet4j.data.iterator;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.targets.GroundTruth;
import org.retinanet4j.targets.RetinaNetTargets;
import org.retinanet4j.targets.TargetBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Stacks loaded samples into one minibatch: images normalised into {@code [N, 3, H, W]} with H and W the padding
 * rule applied to the largest resized image of the batch (zeros at bottom/right, as torchvision's
 * {@code batch_images}), and labels {@code [classTargets, boxTargets]} from the {@link TargetBuilder} (crowd and
 * difficult boxes passed as crowd regions). Without a target builder the batch has no labels (inference).
 */
public final class BatchAssembler {

    private final PaddingRule padding;
    private final TargetBuilder targets;

    public BatchAssembler(PaddingRule padding, TargetBuilder targets) {
        this.padding = padding;
        this.targets = targets;
    }

    public MultiDataSet assemble(List<LoadedSample> samples) {
        int maxH = 0;
        int maxW = 0;
        for (LoadedSample s : samples) {
            maxH = Math.max(maxH, s.resizedHeight());
            maxW = Math.max(maxW, s.resizedWidth());
        }
        int ph = padding.paddedHeight(maxH);
        int pw = padding.paddedWidth(maxW);
        int n = samples.size();
        int slot = 3 * ph * pw;
        float[] buffer = new float[n * slot];
        List<GroundTruth> truths = new ArrayList<>(n);
        List<SampleMetadata> meta = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            LoadedSample s = samples.get(i);
            ImageNormalization.writeChw(s.pixels(), s.resizedHeight(), s.resizedWidth(), false, buffer, i * slot, ph, pw);
            truths.add(new GroundTruth(s.boxes(), s.labels(), s.ignore()));
            meta.add(new SampleMetadata(s.imageIndex(), s.imageId(), s.flipped(), s.originalHeight(),
                    s.originalWidth(), s.resizedHeight(), s.resizedWidth(), ph, pw));
        }
        INDArray images = Nd4j.create(buffer, new long[] {n, 3, ph, pw}, DataType.FLOAT);
        MultiDataSet mds;
        if (targets != null) {
            RetinaNetTargets t = targets.build(truths, ph, pw);
            mds = new MultiDataSet(new INDArray[] {images}, new INDArray[] {t.classTargets(), t.boxTargets()});
        } else {
            mds = new MultiDataSet(new INDArray[] {images}, new INDArray[0]);
        }
        mds.setExampleMetaData(meta);
        return mds;
    }
}
