package org.retinanet4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.torchvision.TorchvisionModelImport;
import org.retinanet4j.zoo.PretrainedWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code retinanet import-torchvision}: turns torchvision weights, a {@code .pth} state dict (read in Java) or an
 * {@code .npz} written by {@code tools/export_torchvision_weights.py}, into a model file the other commands load
 * (see docs/torchvision-import.md).
 */
@Command(name = "import-torchvision",
        mixinStandardHelpOptions = true,
        description = {"Import torchvision weights into a model file: a .pth written by torch.save(model.state_dict(),"
                + " f) (either torch format; no Python needed) or an .npz from tools/export_torchvision_weights.py.",
                "Every tensor must fit the graph exactly; otherwise the first one that does not is named."})
public class ImportTorchvisionCommand implements Callable<Integer> {

    @Option(names = "--weights", required = true, paramLabel = "FILE", description = "torchvision weights (.pth or .npz; "
            + "told apart by content)")
    Path weights;

    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "model file to write")
    Path out;

    @Option(names = "--num-classes", paramLabel = "K",
            description = "classes of the detector (default: recorded in the file; 91 for torchvision's COCO weights)")
    Integer numClasses;

    @Option(names = "--backbone-only",
            description = "import only the ResNet body (C3..C5) from a classifier or RetinaNet file; FPN and heads "
                    + "start from torchvision's initialisation, for fine-tuning")
    boolean backboneOnly;

    @Option(names = "--bn", paramLabel = "MODE", defaultValue = "FROZEN",
            description = "BatchNorm: FROZEN (folded into the convolutions, as torchvision's pretrained models) or "
                    + "TRAINABLE (default: ${DEFAULT-VALUE})")
    BatchNormMode bnMode;

    @Option(names = "--bn-eps", paramLabel = "EPS",
            description = "override the BatchNorm eps recorded in the .npz or inferred for a .pth (torchvision's COCO "
                    + "RetinaNet: 0; else 1e-5)")
    Double bnEps;

    @Option(names = "--input-size", paramLabel = "HxW", defaultValue = "512x512",
            description = "network input size recorded in the model, multiples of 128 (default: ${DEFAULT-VALUE})")
    String inputSize;

    @Option(names = "--width", paramLabel = "C",
            description = "FPN and head width (default: read from the file; torchvision's is 256)")
    Integer width;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("--weights: no such file: " + weights);
        }
        String[] hw = inputSize.toLowerCase(java.util.Locale.ROOT).split("x");
        if (hw.length != 2) {
            throw new IllegalArgumentException("--input-size: expected HxW such as 512x512, got " + inputSize);
        }
        TorchvisionModelImport job = TorchvisionModelImport.from(weights).backboneOnly(backboneOnly).batchNormMode(bnMode)
                .inputSize(Integer.parseInt(hw[0].trim()), Integer.parseInt(hw[1].trim()));
        if (width != null) {
            job.width(width);
        }
        if (numClasses != null) {
            job.numClasses(numClasses);
        }
        if (bnEps != null) {
            job.bnEps(bnEps);
        }
        SavedModel model = job.run();
        ModelBundle.save(out, model);
        PrintWriter w = spec.commandLine().getOut();
        w.printf("wrote %s: %s, %d classes, %s tensors imported, BatchNorm eps %s, Adler32 %d%n", out,
                model.metadata().spec().summary(), model.metadata().numClasses(),
                model.metadata().properties().get("import.tensors"), model.metadata().properties().get("import.bnEps"),
                PretrainedWeights.adler32(out.toFile()));
        w.flush();
        return 0;
    }
}
