package org.retinanet4j.anchors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.zoo.RetinaNet;

/**
 * The graph's pyramid levels have exactly the feature sizes the anchors assume (FeatureMapGeometry), and its output
 * widths are A*K and A*4 for the generator's A, also for inputs that are not multiples of 128 (strides 64 x 106 ...).
 */
class AnchorGraphConsistencyTest {

    @Test
    void graphLevelsAndOutputsMatchTheAnchorGenerator() {
        int numClasses = 3;
        ComputationGraph net = RetinaNet.builder().numClasses(numClasses).backbone(ResNetDepth.RESNET18)
                .inputShape(3, 128, 128).fpnWidth(8).headWidth(8).headDepth(1).seed(1)
                .build().init();
        AnchorGenerator generator = new AnchorGenerator(AnchorConfig.torchvisionDefault());
        int[][] sizes = {{192, 320}, {160, 224}}; // P7 strides 96 x 106 and 80 x 112
        for (int[] s : sizes) {
            String label = s[0] + "x" + s[1];
            Nd4j.getRandom().setSeed(0);
            INDArray image = Nd4j.randn(DataType.FLOAT, 1, 3, s[0], s[1]);
            Map<String, INDArray> acts = net.feedForward(image, false);
            for (int level = 0; level < 5; level++) {
                INDArray p = acts.get("P" + (level + 3));
                int[] cells = generator.featureSize(level, s[0], s[1]);
                assertArrayEquals(new long[] {cells[0], cells[1]}, new long[] {p.size(2), p.size(3)},
                        label + " P" + (level + 3));
            }
            long a = generator.numAnchors(s[0], s[1]);
            assertArrayEquals(new long[] {1, a * numClasses}, acts.get(RetinaNet.CLS_OUTPUT).shape(), label + " cls");
            assertArrayEquals(new long[] {1, a * 4}, acts.get(RetinaNet.BOX_OUTPUT).shape(), label + " box");
        }
    }
}
