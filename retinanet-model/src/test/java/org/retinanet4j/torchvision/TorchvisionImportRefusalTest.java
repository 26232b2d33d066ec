package org.retinanet4j.torchvision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.zoo.RetinaNet;

/**
 * Without torch: a graph's own parameters, written under torchvision's names by {@link TorchvisionExporter} and
 * {@link NpzWriter}, import back exactly; files that do not fit are refused naming the first tensor that
 * does not fit, and leave the graph untouched.
 */
class TorchvisionImportRefusalTest {

    private static final String META = "{\"bn_eps\": 1e-05, \"arch\": \"retinanet_resnet18_fpn\", \"num_classes\": 3}";
    private static Map<String, INDArray> source;
    private static INDArray sourceOutput;
    private static INDArray input;
    /** Refused imports leave graphs untouched, so the refusal tests share these. */
    private static ComputationGraph resnet18;
    private static ComputationGraph resnet18FiveClasses;

    @TempDir
    Path tmp;

    private static ComputationGraph graph(ResNetDepth depth, int classes, long seed) {
        return RetinaNet.builder().numClasses(classes).backbone(depth).fpnWidth(8).headWidth(8).headDepth(1)
                .batchNormMode(BatchNormMode.TRAINABLE).inputShape(3, 128, 128).seed(seed).build().init();
    }

    @BeforeAll
    static void exportAGraph() {
        ComputationGraph net = graph(ResNetDepth.RESNET18, 3, 1);
        Nd4j.getRandom().setSeed(3);
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            // non-trivial BN statistics and head values so a wrong mapping shows in the output
            INDArray p = e.getValue();
            if (e.getKey().endsWith("_gamma") || e.getKey().endsWith("_log10stdev")) {
                p.assign(Nd4j.rand(p.dataType(), p.shape()).muli(0.2).subi(0.1));
            } else if (e.getKey().endsWith("_mean") || e.getKey().endsWith("_beta") || e.getKey().startsWith("cls_head")) {
                p.assign(Nd4j.randn(p.dataType(), p.shape()).muli(0.1));
            }
        }
        source = TorchvisionExporter.stateDict(net);
        input = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 3, 128, 128);
        sourceOutput = out(net);
        resnet18 = graph(ResNetDepth.RESNET18, 3, 1);
        resnet18FiveClasses = graph(ResNetDepth.RESNET18, 5, 1);
    }

    /** cls and box outputs side by side. */
    private static INDArray out(ComputationGraph net) {
        INDArray[] o = net.output(false, input);
        return Nd4j.concat(1, o[0], o[1]);
    }

    private Path write(Map<String, INDArray> tensors, String meta) throws IOException {
        Path f = tmp.resolve("weights.npz");
        NpzWriter.write(f, tensors, meta);
        return f;
    }

    private WeightImportException refused(ComputationGraph net, Map<String, INDArray> tensors) throws IOException {
        // in memory: writing and re-reading 45 MB per case would only test NpzReader again
        Path f = tmp.resolve("in-memory.npz");
        INDArray before = net.params().dup();
        WeightImportException e = assertThrows(WeightImportException.class, () -> StateDictLoader.load(net,
                TorchvisionStateDict.of(f, tensors, 1e-5), ImportOptions.defaults()));
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(e.tensorName()), "names the tensor: " + e.getMessage());
        assertEquals(before, net.params(), "a refused import leaves the graph untouched");
        return e;
    }

    @Test
    void ownParametersRoundTripThroughTorchvisionNames() throws Exception {
        ComputationGraph fresh = graph(ResNetDepth.RESNET18, 3, 99);
        assertNotEquals(sourceOutput, out(fresh));
        ImportSummary s = StateDictLoader.load(fresh, TorchvisionStateDict.read(write(source, META)),
                ImportOptions.defaults());
        assertEquals(source.size(), s.tensorsImported());
        TorchFixtures.assertClose("round trip cls", sourceOutput, out(fresh), 1e-5);
    }

    @Test
    void notATorchvisionStateDictIsRefused() throws Exception {
        Map<String, INDArray> keras = new LinkedHashMap<>();
        keras.put("dense_1/kernel:0", Nd4j.ones(4, 2));
        WeightImportException e = refused(resnet18, keras);
        assertEquals("dense_1/kernel:0", e.tensorName());
    }

    @Test
    void anotherDepthIsRefusedAtTheFirstMisfit() throws Exception {
        // ResNet-18 BasicBlock conv1 is 3x3; ResNet-50's Bottleneck conv1 is 1x1
        WeightImportException e = refused(graph(ResNetDepth.RESNET50, 3, 1), source);
        assertEquals("backbone.body.layer1.0.conv1.weight", e.tensorName(), e.getMessage());
        // ResNet-34 has every ResNet-18 tensor and more: the first one the file lacks is named
        e = refused(graph(ResNetDepth.RESNET34, 3, 1), source);
        assertEquals("layer1_2_conv1_W", e.tensorName());
        assertTrue(e.getMessage().contains("backbone.body.layer1.2.conv1.weight"), e.getMessage());
    }

    @Test
    void anotherClassCountIsRefusedNamingThePredictor() throws Exception {
        WeightImportException e = refused(resnet18FiveClasses, source);
        assertEquals("head.classification_head.cls_logits.weight", e.tensorName());
    }

    @Test
    void leftoverAndMissingTensorsAreRefused() throws Exception {
        Map<String, INDArray> extra = new LinkedHashMap<>(source);
        extra.put("backbone.body.fc.weight", Nd4j.ones(10, 512));
        assertEquals("backbone.body.fc.weight", refused(resnet18, extra).tensorName());

        Map<String, INDArray> missing = new LinkedHashMap<>(source);
        missing.remove("backbone.body.layer3.0.bn2.running_var");
        assertEquals("backbone.body.layer3.0.bn2.running_var",
                refused(resnet18, missing).tensorName());
    }

    @Test
    void fileWithoutEpsNeedsOneGiven() throws Exception {
        Path f = write(source, null);
        ComputationGraph net = graph(ResNetDepth.RESNET18, 3, 1);
        WeightImportException e = assertThrows(WeightImportException.class,
                () -> StateDictLoader.load(net, TorchvisionStateDict.read(f), ImportOptions.defaults()));
        assertTrue(e.getMessage().contains("eps"), e.getMessage());
        ImportSummary summary = StateDictLoader.load(net, TorchvisionStateDict.read(f),
                ImportOptions.defaults().withBnEps(1e-5));
        assertEquals(1e-5, summary.bnEps());
    }

    @Test
    void filesThatAreNotNpzAreRefusedNamingTheFile() throws Exception {
        Path f = tmp.resolve("model.pth");
        Files.writeString(f, "not a zip");
        IOException e = assertThrows(IOException.class, () -> TorchvisionStateDict.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}
