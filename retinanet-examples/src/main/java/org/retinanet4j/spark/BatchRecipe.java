package org.retinanet4j.spark;

import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.data.iterator.BatchLoader;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.data.transform.FlipDecision;
import org.retinanet4j.inference.Detector;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.ModelMetadataJson;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeRule;
import org.retinanet4j.targets.TargetBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * How training batches are made for a model, in one place for local and Spark training: the resize rule from the
 * model's input size, padding to {@link Detector#PAD_MULTIPLE}, targets from the model's anchors and classes,
 * horizontal flips with probability 0.5 seeded by the run's seed. It is {@link Serializable} (the model metadata
 * travels as its JSON), so a Spark worker rebuilds the same {@link BatchLoader} that the local iterator uses.
 */
public final class BatchRecipe implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Training flips each image left-right with this probability (the paper's only augmentation). */
    public static final double FLIP_PROBABILITY = 0.5;

    private final byte[] metadataJson;
    private final long seed;
    private transient ModelMetadata metadata;

    private BatchRecipe(ModelMetadata metadata, long seed) {
        this.metadataJson = ModelMetadataJson.toBytes(metadata);
        this.seed = seed;
        this.metadata = metadata;
    }

    /** Training batches for {@code metadata}'s model, shuffled and flipped as functions of {@code seed}. */
    public static BatchRecipe forTraining(ModelMetadata metadata, long seed) {
        return new BatchRecipe(metadata, seed);
    }

    public long seed() {
        return seed;
    }

    public ModelMetadata metadata() {
        if (metadata == null) {
            try {
                metadata = ModelMetadataJson.read(new ByteArrayInputStream(metadataJson), "batch recipe");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return metadata;
    }

    public ResizeRule resizeRule() {
        ModelMetadata md = metadata();
        return new ResizeRule(Math.min(md.inputHeight(), md.inputWidth()), Math.max(md.inputHeight(), md.inputWidth()));
    }

    public PaddingRule paddingRule() {
        return PaddingRule.toMultipleOf(Detector.PAD_MULTIPLE);
    }

    public TargetBuilder targetBuilder() {
        ModelMetadata md = metadata();
        return new TargetBuilder(new AnchorGenerator(Detector.anchorConfig(md.anchors())), md.numClasses());
    }

    public FlipDecision flips() {
        return new FlipDecision(seed, FLIP_PROBABILITY);
    }

    /** The batch loader a Spark worker runs; {@code source} names the records in messages. */
    public BatchLoader newLoader(String source) {
        return new BatchLoader(resizeRule(), paddingRule(), targetBuilder(), flips(), source);
    }

    /** The same settings on a local iterator (training mode: shuffled per epoch, flipped). */
    public RetinaNetIterator.Builder configure(RetinaNetIterator.Builder builder) {
        return builder.targets(targetBuilder()).resize(resizeRule()).padding(paddingRule()).training(true)
                .flipProbability(FLIP_PROBABILITY).seed(seed);
    }
}
