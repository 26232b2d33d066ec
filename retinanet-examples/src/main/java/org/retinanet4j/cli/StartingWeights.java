package org.retinanet4j.cli;

import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.finetune.FineTuned;
import org.retinanet4j.finetune.FineTuning;
import org.retinanet4j.finetune.WeightsFile;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.torchvision.TorchvisionParamNames;
import org.retinanet4j.torchvision.WeightImportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code train --weights FILE}: the model to train, started from a saved model, a torchvision RetinaNet or an
 * ImageNet ResNet ({@link WeightsFile}) through {@link FineTuning}, with the dataset's classes (the class predictor
 * starts afresh when they differ from the file's), and a report of what was copied and what was not.
 */
final class StartingWeights {

    private static final Logger LOG = LoggerFactory.getLogger(StartingWeights.class);

    private StartingWeights() {
    }

    /**
     * @param architecture the model asked for with {@code --backbone}, or null for the file's own architecture
     * @param inputSize    {@code --size}, or null for the saved model's (512 for torchvision files)
     */
    static SavedModel start(Path file, CategoryMap classes, RetinaNetSpec architecture, Integer inputSize,
                            BatchNormMode batchNorm, int trainableLayers, long seed, PrintWriter console)
            throws IOException {
        CliChecks.existingFile(file, "--weights");
        int size = inputSize != null ? inputSize : 512;
        WeightsFile source;
        try {
            source = WeightsFile.read(file, architecture, batchNorm, size, size);
        } catch (WeightImportException e) {
            throw e;   // names the file and the tensor already
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        ModelMetadata from = source.model().metadata();
        ModelMetadata wanted = TrainingPipeline.metadata(classes, from.spec().withNumClasses(classes.size()));
        boolean sameClasses = wanted.classNames().equals(from.classNames());
        FineTuning job = FineTuning.from(source.model()).classes(wanted.classNames(), wanted.categoryIds())
                .resetClassifier(!sameClasses).backboneOnly(source.kind() == WeightsFile.Kind.IMAGENET_BACKBONE)
                .batchNormMode(batchNorm).trainableBackboneLayers(trainableLayers).architecture(architecture)
                .seed(seed);
        if (inputSize != null) {
            job.inputSize(inputSize, inputSize);
        }
        FineTuned tuned;
        try {
            tuned = job.transfer();
        } catch (WeightImportException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        report(console, source, from, tuned, sameClasses);
        return tuned.model();
    }

    private static void report(PrintWriter console, WeightsFile source, ModelMetadata from, FineTuned tuned,
                               boolean sameClasses) {
        RetinaNetSpec spec = tuned.model().metadata().spec();
        int total = tuned.copied().size() + tuned.initialised().size();
        String[] lines = {
                String.format(Locale.ROOT, "weights: %s (%s, %d classes)", source.file(), source.kind().description(),
                        from.numClasses()),
                String.format(Locale.ROOT, "copied %d of %d parameter arrays: %s", tuned.copied().size(), total,
                        groups(tuned.copied())),
                tuned.initialised().isEmpty() ? "initialised afresh: none"
                        : "initialised afresh: " + groups(tuned.initialised()) + " " + why(source, from, tuned,
                        sameClasses),
                "model: " + spec.summary()};
        for (String line : lines) {
            console.println(line);
            LOG.info(line);
        }
        console.flush();
    }

    private static String why(WeightsFile source, ModelMetadata from, FineTuned tuned, boolean sameClasses) {
        StringBuilder b = new StringBuilder("(");
        if (source.kind() == WeightsFile.Kind.IMAGENET_BACKBONE) {
            b.append("the file holds a backbone only");
        }
        if (!sameClasses && tuned.initialised().stream().anyMatch(k -> k.startsWith(TorchvisionParamNames.CLS_PREDICTOR))) {
            if (b.length() > 1) {
                b.append("; ");
            }
            b.append("class predictor for the new classes ").append(tuned.model().metadata().classNames())
                    .append(" instead of ").append(abbreviated(from.classNames()))
                    .append(": normal(0, 0.01) weights, prior-probability bias");
        }
        return b.append(")").toString();
    }

    /** Parameter keys grouped by part of the network: {@code backbone 60, FPN 10, heads 12} or the keys. */
    static String groups(List<String> keys) {
        if (keys.size() <= 4) {
            return String.join(", ", keys);
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String k : keys) {
            String part = TorchvisionParamNames.isBackboneParam(k) ? "backbone"
                    : k.startsWith(TorchvisionParamNames.CLS_PREDICTOR) ? "class predictor"
                    : k.startsWith("cls_head") || k.startsWith("box_head") ? "heads" : "FPN";
            counts.merge(part, 1, Integer::sum);
        }
        return counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String abbreviated(List<String> names) {
        return names.size() <= 8 ? names.toString()
                : Arrays.toString(names.subList(0, 8).toArray()).replace("]", ", ... (" + names.size() + ")]");
    }
}
