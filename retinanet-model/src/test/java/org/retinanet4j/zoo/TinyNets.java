package org.retinanet4j.zoo;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.backbone.ResNetDepth;

/** Tiny configurations that keep the tests fast. */
final class TinyNets {
    private TinyNets() {
    }

    /** ResNet-18, FPN/head width 8, one head conv, 3 classes, 2 anchors per location, 128x128. */
    static RetinaNet.Builder tiny() {
        return RetinaNet.builder().numClasses(3).backbone(ResNetDepth.RESNET18).inputShape(3, 128, 128)
                .fpnWidth(8).headWidth(8).headDepth(1).anchorsPerLocation(2).seed(42);
    }

    /** Anchors over P3..P7 for an input, strides 8..128, sizes rounded up as the stride-2 convs do. */
    static int totalAnchors(int h, int w, int perLocation) {
        int total = 0;
        int fh = h / 8;
        int fw = w / 8;
        for (int level = 0; level < 5; level++) {
            total += fh * fw * perLocation;
            fh = (fh + 1) / 2;
            fw = (fw + 1) / 2;
        }
        return total;
    }

    static INDArray image(long seed, DataType type, int n, int h, int w) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(type, n, 3, h, w);
    }
}
