package org.retinanet4j.zoo;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ResNet-50, 91 classes, trainable BN holds exactly torchvision's retinanet_resnet50_fpn tensors. The torchvision
 * side is listed by tools/list_torchvision_retinanet_params.py.
 */
class TorchvisionParameterParityTest {
    private static final long CONV_FPN_HEAD_VALUES = 34_014_999L;
    private static final long BN_AFFINE_VALUES = 53_120L;

    @Test
    void resnet50GraphHoldsTorchvisionsTensors() throws Exception {
        JsonNode tv;
        try (InputStream in = getClass().getResourceAsStream(
                "/fixtures/graph/torchvision_retinanet_resnet50_fpn_params.json")) {
            assertNotNull(in, "fixture missing: run tools/list_torchvision_retinanet_params.py");
            tv = new ObjectMapper().readTree(in);
        }
        ComputationGraph net = RetinaNet.builder().numClasses(91).build().init();
        Map<String, INDArray> dl4j = net.paramTable();

        Set<String> matched = new HashSet<>();
        List<String> problems = new ArrayList<>();
        long tvParams = 0;
        long bnAffine = 0;
        for (String section : List.of("parameters", "buffers")) {
            Iterator<Map.Entry<String, JsonNode>> it = tv.get(section).fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                long[] tvShape = new long[e.getValue().size()];
                for (int i = 0; i < tvShape.length; i++) {
                    tvShape[i] = e.getValue().get(i).asLong();
                }
                long n = Arrays.stream(tvShape).reduce(1, (a, b) -> a * b);
                if (section.equals("parameters")) {
                    tvParams += n;
                    if (e.getKey().contains(".bn") || e.getKey().contains("downsample.1")) {
                        bnAffine += n;
                    }
                }
                String key = TorchvisionNames.dl4jKey(e.getKey());
                INDArray p = dl4j.get(key);
                if (p == null) {
                    problems.add(e.getKey() + " -> " + key + ": missing");
                    continue;
                }
                matched.add(key);
                long[] expected = TorchvisionNames.expectedDl4jShape(e.getKey(), tvShape);
                if (expected.length == 1) {
                    if (p.length() != expected[0]) {
                        problems.add(key + ": " + p.length() + " values, torchvision " + expected[0]);
                    }
                } else if (!Arrays.equals(expected, p.shape())) {
                    problems.add(key + ": shape " + Arrays.toString(p.shape()) + ", torchvision "
                            + Arrays.toString(tvShape));
                }
            }
        }
        Set<String> extra = new HashSet<>(dl4j.keySet());
        extra.removeAll(matched);
        assertTrue(problems.isEmpty(), "mismatches: " + problems);
        assertTrue(extra.isEmpty(), "DL4J parameters with no torchvision counterpart: " + extra);
        assertEquals(CONV_FPN_HEAD_VALUES + BN_AFFINE_VALUES, tvParams, "torchvision fixture");
        assertEquals(BN_AFFINE_VALUES, bnAffine, "torchvision BN scales and shifts");
        // numParams() skips SameDiff vertices: count the flattened parameter vector instead.
        assertEquals(CONV_FPN_HEAD_VALUES + 2 * BN_AFFINE_VALUES, net.params().length());
    }
}
