package org.retinanet4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.decode.Detection;
import org.retinanet4j.finetune.FineTuning;
import org.retinanet4j.inference.Detector;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.preprocess.ResizeInfo;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.torchvision.NpzWriter;
import org.retinanet4j.torchvision.TorchvisionExporter;
import org.retinanet4j.torchvision.TorchvisionModelImport;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.Trainer;
import org.retinanet4j.train.TrainerConfig;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's anchors (8..128 px at 128x128, not torchvision's 32..512) survive every step of a model's life: the
 * demo trains and saves with them, and the graph, the training targets, the saved file, the {@code Detector}'s
 * decoder, COCO evaluation, fine-tuning (and training the fine-tuned model) and a torchvision import of the
 * trained weights all use them. Each consumer is asked for the anchors it actually works with; the detector's
 * decoder is also checked by what it does (a detection lands on one of the demo's anchors, not torchvision's).
 */
class DemoAnchorsEndToEndTest {
    private static final int SIZE = 128;

    @TempDir
    Path dir;

    @Test
    void theDemosAnchorsReachEveryConsumer() throws Exception {
        AnchorConfig demo = DemoCommand.demoAnchors(SIZE);
        assertNotEquals(AnchorConfig.torchvisionDefault(), demo, "the demo's anchors are not the defaults");
        Path out = dir.resolve("demo");
        int exit = RetinaNetCli.commandLine().execute("demo", "--out", out.toString(), "--iterations", "2",
                "--train-images", "6", "--val-images", "2", "--size", String.valueOf(SIZE), "--batch", "2",
                "--drawn", "1");
        assertEquals(0, exit, "demo exit code");

        // the saved file, and the graph restored from it
        Path modelFile = out.resolve("model.zip");
        SavedModel saved = ModelBundle.load(modelFile);
        RetinaNetSpec spec = saved.metadata().spec();
        assertEquals(demo, spec.anchors(), "saved spec");
        int classes = spec.numClasses();
        INDArray[] outputs = saved.graph().output(false, Nd4j.zeros(1, 3, SIZE, SIZE));
        assertEquals((long) new AnchorGenerator(demo).numAnchors(SIZE, SIZE) * classes, outputs[0].size(1),
                "graph outputs cover the demo's anchors");

        // training targets (the demo's own path) and evaluation
        DetectionDataset train = new CocoInstancesReader().read(out.resolve("shapes/annotations/instances_train.json"),
                out.resolve("shapes/train"));
        try (RetinaNetIterator it = TrainingPipeline.trainIterator(train, spec, 2, 1, 0)) {
            assertEquals(demo, it.targetBuilder().anchorGenerator().config(), "training targets");
        }
        Detector evaluation = TrainingPipeline.evaluationDetector(saved.graph(), saved.metadata());
        assertEquals(demo, evaluation.decoder().anchorGenerator().config(), "evaluation");
        assertEquals(demo, evaluation.spec().anchors(), "evaluation iterator (DatasetDetections uses the spec)");

        // the detector: by what it holds and by what it decodes
        Detector detector = Detector.load(modelFile);
        assertEquals(demo, detector.decoder().anchorGenerator().config(), "detector");
        assertDecodesOntoAnchor(detector, demo, classes);

        // fine-tuning to other classes, saved and loaded, and its training targets
        SavedModel tuned = FineTuning.from(saved).numClasses(2).trainableBackboneLayers(4).build();
        assertEquals(demo, tuned.metadata().spec().anchors(), "fine-tuned spec");
        Path tunedFile = dir.resolve("tuned.zip");
        try (RetinaNetIterator it = TrainingPipeline.trainIterator(train, tuned.metadata().spec(), 2, 1, 0)) {
            assertEquals(demo, it.targetBuilder().anchorGenerator().config(), "fine-tuning targets");
            new Trainer(TrainerConfig.builder().optimizer(OptimizerKind.ADAM).learningRate(1e-4).maxIterations(1)
                    .build(), tuned.metadata()).fit(tuned.graph(), TrainingPipeline.trainingData(it));
        }
        ModelBundle.save(tunedFile, tuned);
        assertEquals(demo, Detector.load(tunedFile).decoder().anchorGenerator().config(), "fine-tuned detector");

        // torchvision's layout and back, into the model's spec
        Path npz = dir.resolve("demo.npz");
        NpzWriter.write(npz, TorchvisionExporter.stateDict(saved.graph()),
                "{\"bn_eps\": 1e-05, \"arch\": \"retinanet_resnet18_fpn\", \"num_classes\": " + classes + "}");
        SavedModel imported = TorchvisionModelImport.from(npz).spec(spec).run();
        assertEquals(demo, imported.metadata().spec().anchors(), "import");
        assertTrue(saved.graph().params().equalsWithEps(imported.graph().params(), 1e-4), "the weights came back");
    }

    /** A single confident anchor with zero box deltas is detected exactly at that anchor of the demo's anchors. */
    private static void assertDecodesOntoAnchor(Detector detector, AnchorConfig demo, int classes) {
        float[] anchors = new AnchorGenerator(demo).anchors(SIZE, SIZE);
        int numAnchors = anchors.length / 4;
        int chosen = (8 * 16 + 8) * demo.anchorsPerLocation() + 4;   // P3, row 8, column 8, middle anchor
        INDArray logits = Nd4j.valueArrayOf(new long[]{1, (long) numAnchors * classes}, -20f);
        logits.putScalar(0, (long) chosen * classes, 20f);
        INDArray deltas = Nd4j.zeros(1, numAnchors * 4L);
        List<Detection> found = detector.decoder().decode(logits, deltas, List.of(ResizeInfo.identity(SIZE, SIZE)))
                .get(0);
        assertEquals(1, found.size(), "one confident anchor");
        Detection d = found.get(0);
        assertArrayEquals(new float[]{anchors[4 * chosen], anchors[4 * chosen + 1], anchors[4 * chosen + 2],
                anchors[4 * chosen + 3]}, new float[]{d.x1(), d.y1(), d.x2(), d.y2()}, 1e-4f,
                "the detection is the demo's anchor " + chosen);
    }
}
