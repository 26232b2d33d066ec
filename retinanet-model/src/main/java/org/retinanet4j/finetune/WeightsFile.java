package org.retinanet4j.finetune;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.torchvision.TorchvisionModelImport;
import org.retinanet4j.torchvision.TorchvisionStateDict;

/**
 * A file to start training from, read into a {@link SavedModel} for {@link FineTuning}: a model saved by this
 * project ({@code .zip}), a torchvision RetinaNet, or an ImageNet ResNet ({@code .pth} state dict or exported
 * {@code .npz}; a file without {@code head.*} tensors is taken as a backbone).
 *
 * @param file  the file
 * @param kind  what it holds
 * @param model the model it describes (for an ImageNet ResNet: a RetinaNet whose FPN and heads are fresh)
 */
public record WeightsFile(Path file, Kind kind, SavedModel model) {

    /** What a weights file holds. */
    public enum Kind {
        SAVED_MODEL("a model saved by this project"),
        TORCHVISION_DETECTOR("a torchvision RetinaNet"),
        IMAGENET_BACKBONE("an ImageNet ResNet (backbone only)");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /**
     * Reads {@code file}. A torchvision file is imported strictly into {@code architecture} (its backbone only for
     * an ImageNet ResNet), so a file of another architecture is a {@code WeightImportException} naming the file
     * and the first tensor that does not fit; with {@code architecture} null it is imported as the file describes
     * it (torchvision's widths), at the given input size. A torchvision file's BatchNorm becomes {@code batchNorm}
     * (FROZEN: folded). A saved model is loaded as it is ({@link FineTuning} checks its architecture and changes
     * its BatchNorm).
     */
    public static WeightsFile read(Path file, RetinaNetSpec architecture, BatchNormMode batchNorm, int inputHeight,
                                   int inputWidth) throws IOException {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
            return new WeightsFile(file, Kind.SAVED_MODEL, ModelBundle.load(file));
        }
        TorchvisionStateDict state = TorchvisionStateDict.read(file);
        boolean backbone = state.tensors().keySet().stream().noneMatch(k -> k.startsWith("head."));
        TorchvisionModelImport job = TorchvisionModelImport.from(state).backboneOnly(backbone);
        if (architecture != null) {
            RetinaNetSpec s = architecture.toBuilder().batchNormMode(batchNorm).trainableBackboneLayers(5).build();
            if (!backbone) {
                s = s.withNumClasses(classesOf(state, s));
            }
            job.spec(s);
        } else {
            job.inputSize(inputHeight, inputWidth).batchNormMode(batchNorm);
        }
        return new WeightsFile(file, backbone ? Kind.IMAGENET_BACKBONE : Kind.TORCHVISION_DETECTOR, job.run());
    }

    /** The detector's class count: recorded or inferred by the reader, else its predictor bias over the anchors. */
    private static int classesOf(TorchvisionStateDict state, RetinaNetSpec s) {
        if (state.numClasses() != null) {
            return state.numClasses();
        }
        org.nd4j.linalg.api.ndarray.INDArray bias = state.tensors().get("head.classification_head.cls_logits.bias");
        return bias == null ? s.numClasses() : (int) Math.max(1, bias.length() / s.anchorsPerLocation());
    }
}
