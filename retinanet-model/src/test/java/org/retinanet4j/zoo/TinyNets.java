package org.retinanet4j.zoo;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.loss.FocalLoss;

/** Tiny configurations that keep the tests fast. */
final class TinyNets {
    /** One scale, two ratios: 2 anchors per location. */
    static final AnchorConfig TWO_ANCHORS = new AnchorConfig(AnchorConfig.TORCHVISION_BASE_SIZES.clone(),
            new double[]{1.0}, new double[]{0.5, 2.0}, 3);

    private TinyNets() {
    }

    /** ResNet-18, FPN/head width 8, one head conv, 3 classes, 2 anchors per location, 128x128. */
    static RetinaNet.Builder tiny() {
        return RetinaNet.builder().numClasses(3).backbone(ResNetDepth.RESNET18).inputShape(3, 128, 128)
                .fpnWidth(8).headWidth(8).headDepth(1).anchors(TWO_ANCHORS).seed(42);
    }

    /**
     * DL4J's NoOp updater on every layer and both heads, in place: a gradient check compares the gradients the
     * updater is given, which any other updater would turn into steps.
     */
    static ComputationGraph withoutUpdates(ComputationGraph net) {
        for (org.deeplearning4j.nn.conf.graph.GraphVertex v : net.getConfiguration().getVertices().values()) {
            if (v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv) {
                noOp(lv.getLayerConf().getLayer());
            } else if (v instanceof org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex sv) {
                sv.setUpdater(new NoOp());
                sv.setBiasUpdater(new NoOp());
            }
        }
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers()) {
            noOp(layer.conf().getLayer());
        }
        net.setUpdater(null);
        return net;
    }

    private static void noOp(org.deeplearning4j.nn.conf.layers.Layer layer) {
        if (layer instanceof org.deeplearning4j.nn.conf.layers.BaseLayer bl) {
            bl.setIUpdater(new NoOp());
            bl.setBiasUpdater(new NoOp());
        }
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

    /**
     * Valid random targets: ~10% positive anchors (one-hot class, N(0,1) box deltas), ~5% ignored, the rest
     * negative; non-positive anchors carry BoxRegressionLoss.NOT_POSITIVE.
     */
    static INDArray[] labels(long seed, DataType type, int n, int anchors, int numClasses) {
        java.util.Random r = new java.util.Random(seed);
        double[][] cls = new double[n][anchors * numClasses];
        double[][] box = new double[n][anchors * 4];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < anchors; a++) {
                double u = r.nextDouble();
                for (int j = 0; j < 4; j++) {
                    box[i][a * 4 + j] = u < 0.1 ? r.nextGaussian() : BoxRegressionLoss.NOT_POSITIVE;
                }
                if (u < 0.1) {
                    cls[i][a * numClasses + r.nextInt(numClasses)] = 1;
                } else if (u < 0.15) {
                    java.util.Arrays.fill(cls[i], a * numClasses, (a + 1) * numClasses, FocalLoss.IGNORE);
                }
            }
        }
        return new INDArray[]{Nd4j.create(cls).castTo(type), Nd4j.create(box).castTo(type)};
    }

    static INDArray image(long seed, DataType type, int n, int h, int w) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(type, n, 3, h, w);
    }
}
