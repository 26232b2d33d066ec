package org.retinanet4j.cli;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.torchvision.NpzWriter;
import org.retinanet4j.torchvision.TorchvisionExporter;
import org.retinanet4j.zoo.RetinaNet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.retinanet4j.cli.CliRun.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train --weights} with weights that cannot start the model: one line naming the file and what does not fit
 * (exit code 2), before any training; and option combinations that contradict each other.
 */
class TrainWeightsBadInputTest {

    /** The .pth fixtures of the model module (torch.save of a list, of a whole nn.Module). */
    private static final Path PTH_FIXTURES = Path.of("..", "retinanet-model", "src", "test", "resources", "fixtures",
            "pth");

    @TempDir
    static Path dir;
    private static ShapesDataset shapes;
    /** A small RetinaNet (ResNet-18, 32 wide, 3 classes) saved by this project and exported to torchvision names. */
    private static Path savedModel;
    private static Path torchvisionNpz;


    @BeforeAll
    static void makeWeights() throws Exception {
        shapes = new ShapesDatasetGenerator(new ShapesConfig(4, 1, 128, 28, 64, 2, 0.0, 0.0, 5))
                .generate(dir.resolve("shapes"));
        RetinaNet small = RetinaNet.smallBuilder(3).inputShape(3, 128, 128).build();
        ComputationGraph graph = small.init();
        savedModel = dir.resolve("small.zip");
        ModelBundle.save(savedModel, new SavedModel(graph, ModelMetadata.of(small.spec(),
                List.of("square", "circle", "triangle"), new int[]{1, 2, 3})));
        torchvisionNpz = dir.resolve("small.npz");
        NpzWriter.write(torchvisionNpz, TorchvisionExporter.stateDict(graph),
                "{\"arch\": \"retinanet_resnet18_fpn\", \"num_classes\": 3, \"bn_eps\": 1e-5}");
    }

    private static String[] train(String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", shapes.trainAnnotations().toString(),
                "--images", shapes.trainImages().toString(), "--size", "128", "--max-iterations", "1"));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }


    @Test
    void aSavedModelOfAnotherArchitectureNamesTheFileAndTheLayer() {
        Path out = dir.resolve("zip-arch");
        CliRun r = CliRun.run(train("--weights", savedModel.toString(), "--backbone", "resnet34", "--out", out.toString()));
        // resnet34 has three blocks in layer1 where the saved ResNet-18 has two; widths 256 against 32
        r.assertOneLineError(savedModel.toString(), "another architecture: layer '", "' is ", " in the weights but ",
                "RESNET18-FPN 32 wide", "RESNET34-FPN 256 wide");
        assertFalse(Files.exists(out.resolve("model.zip")), "nothing trained");
    }

    @Test
    void aTorchvisionFileOfAnotherArchitectureNamesTheFileAndTheTensor() {
        CliRun r = CliRun.run(train("--weights", torchvisionNpz.toString(), "--backbone", "resnet18", "--out",
                dir.resolve("npz-arch").toString()));
        // the file's FPN is 32 wide, the torchvision-width model asked for 256
        r.assertOneLineError(torchvisionNpz + ": tensor 'backbone.fpn.inner_blocks.0.0.bias' has shape [32] but "
                + "graph parameter 'fpn_inner_blocks_0_b' has shape [256]");
    }

    @Test
    void aPthThatIsNotAStateDict() {
        Path list = PTH_FIXTURES.resolve("list.pth");
        Path module = PTH_FIXTURES.resolve("whole_model.pth");
        assertTrue(Files.isRegularFile(list) && Files.isRegularFile(module), "fixtures in " + PTH_FIXTURES);
        assertOneLineError(CliRun.run(train("--weights", list.toString(), "--out", dir.resolve("l").toString())),
                list + ": not a state dict");
        assertOneLineError(CliRun.run(train("--weights", module.toString(), "--out", dir.resolve("m").toString())),
                module.toString(), "state_dict");
    }

    @Test
    void missingWeightsAndContradictingOptions() {
        assertOneLineError(CliRun.run(train("--weights", dir.resolve("nope.pth").toString(), "--out",
                dir.resolve("n").toString())), "--weights", "nope.pth");
        assertOneLineError(CliRun.run(train("--weights", savedModel.toString(), "--freeze-backbone", "--trainable-layers",
                "3", "--out", dir.resolve("c").toString())), "--freeze-backbone and --trainable-layers 3");
        assertOneLineError(CliRun.run(train("--weights", savedModel.toString(), "--trainable-layers", "6", "--out",
                dir.resolve("c6").toString())), "--trainable-layers must be 0..5");
        // trainable BatchNorm cannot freeze residual stages (DL4J M2.1), so 3 trainable layers need frozen BatchNorm
        assertOneLineError(CliRun.run(train("--weights", savedModel.toString(), "--bn", "trainable", "--trainable-layers",
                "3", "--out", dir.resolve("bn").toString())), "needs batchNormMode FROZEN");
    }
}
