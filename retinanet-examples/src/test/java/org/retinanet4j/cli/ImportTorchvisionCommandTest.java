package org.retinanet4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.torchvision.NpzWriter;
import org.retinanet4j.torchvision.TorchvisionExporter;
import org.retinanet4j.zoo.RetinaNet;

/**
 * {@code retinanet import-torchvision} in-process, on a torchvision-named file made from a small graph (no torch
 * needed; the torchvision parity itself is tested in retinanet-model): the written model reproduces the graph
 * with trainable or folded BatchNorm, and a file that does not fit exits 2 naming the tensor.
 */
class ImportTorchvisionCommandTest {

    private static final String META = "{\"bn_eps\": 1e-05, \"arch\": \"retinanet_resnet18_fpn\", \"num_classes\": 3}";
    private static INDArray input;
    private static INDArray expected;

    @TempDir
    static Path dir;


    private static INDArray outputs(ComputationGraph net) {
        INDArray[] o = net.output(false, input);
        return Nd4j.concat(1, o[0], o[1]);
    }

    @BeforeAll
    static void exportASmallGraph() throws Exception {
        ComputationGraph net = RetinaNet.builder().numClasses(3).backbone(ResNetDepth.RESNET18).fpnWidth(8)
                .headWidth(8).batchNormMode(BatchNormMode.TRAINABLE).inputShape(3, 128, 128).build().init();
        Nd4j.getRandom().setSeed(5);
        net.paramTable().forEach((k, p) -> {
            if (k.endsWith("_mean") || k.endsWith("_beta") || k.endsWith("_log10stdev")) {
                p.assign(Nd4j.randn(p.dataType(), p.shape()).muli(0.1));
            }
        });
        NpzWriter.write(dir.resolve("r18.npz"), TorchvisionExporter.stateDict(net), META);
        input = Nd4j.rand(DataType.FLOAT, 1, 3, 128, 128);
        expected = outputs(net);
    }

    private static void assertReproduces(Path model, String what) {
        SavedModel saved = ModelBundle.load(model);
        assertEquals(3, saved.metadata().numClasses());
        INDArray got = outputs(saved.graph());
        double err = got.sub(expected).amaxNumber().doubleValue();
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(err <= 1e-5 * scale, what + ": max abs error " + err + " vs scale " + scale);
    }

    @Test
    void importsWithFoldedAndWithTrainableBatchNorm() {
        for (String bn : new String[]{"FROZEN", "TRAINABLE"}) {
            Path out = dir.resolve("model-" + bn + ".zip");
            CliRun r = CliRun.run("import-torchvision", "--weights", dir.resolve("r18.npz").toString(), "--out", out.toString(),
                    "--bn", bn, "--input-size", "128x128");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("3 classes") && r.out().contains("Adler32"), r.out());
            assertReproduces(out, bn + " BatchNorm");
        }
    }

    @Test
    void aFileThatDoesNotFitExitsTwoNamingTheTensor() {
        CliRun r = CliRun.run("import-torchvision", "--weights", dir.resolve("r18.npz").toString(), "--out",
                dir.resolve("bad.zip").toString(), "--num-classes", "5", "--input-size", "128x128");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("head.classification_head.cls_logits.weight"), r.err());
    }

    @Test
    void aMissingFileExitsTwo() {
        CliRun r = CliRun.run("import-torchvision", "--weights", dir.resolve("nope.npz").toString(), "--out",
                dir.resolve("x.zip").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("nope.npz"), r.err());
    }
}
