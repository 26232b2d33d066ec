package org.retinanet4j.zoo;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.fpn.P6Source;
import org.retinanet4j.loss.BoxRegressionLoss;

/** The validated settings of a {@link RetinaNet}; made by {@link RetinaNet.Builder#build()}. */
public record RetinaNetConfig(int numClasses, ResNetDepth backbone, int[] inputShape, AnchorConfig anchorConfig,
                              int fpnWidth, int headWidth, int headDepth, double priorProbability,
                              double focalAlpha, double focalGamma, BoxRegressionLoss.Type boxLossType,
                              BatchNormMode batchNormMode, int trainableBackboneLayers, P6Source p6Source,
                              long seed, IUpdater updater, WorkspaceMode workspaceMode, CacheMode cacheMode,
                              DataType dataType, long pretrainedChecksum) {

    public int anchorsPerLocation() {
        return anchorConfig.anchorsPerLocation();
    }

    public int inputHeight() {
        return inputShape[1];
    }

    public int inputWidth() {
        return inputShape[2];
    }
}
