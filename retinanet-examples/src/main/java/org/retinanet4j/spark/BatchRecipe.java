package org.retinanet4j.spark;

import org.datavec.api.records.reader.RecordReader;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.data.iterator.BatchLoader;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.data.transform.FlipDecision;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.targets.TargetBuilder;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * How training batches are made for a model, in one place for local and Spark training: the input preparation of
 * the model's spec ({@link InputBatcher#of}), targets from its anchors and classes ({@link TargetBuilder}),
 * horizontal flips with probability 0.5 seeded by the run's seed. It is {@link Serializable} (the spec travels as
 * its JSON, as a saved model stores it), so a Spark worker rebuilds the same {@link BatchLoader} that the local
 * iterator uses.
 */
public final class BatchRecipe implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Training flips each image left-right with this probability (the paper's only augmentation). */
    public static final double FLIP_PROBABILITY = 0.5;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] specJson;
    private final long seed;
    private transient RetinaNetSpec spec;

    private BatchRecipe(RetinaNetSpec spec, long seed) {
        try {
            this.specJson = JSON.writeValueAsBytes(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        this.seed = seed;
        this.spec = spec;
    }

    /** Training batches for a model of {@code spec}, shuffled and flipped as functions of {@code seed}. */
    public static BatchRecipe forTraining(RetinaNetSpec spec, long seed) {
        return new BatchRecipe(spec, seed);
    }

    public long seed() {
        return seed;
    }

    /** The model spec (rebuilt from its JSON, and so validated again, after the recipe travelled to a worker). */
    public RetinaNetSpec spec() {
        if (spec == null) {
            try {
                spec = JSON.readValue(specJson, RetinaNetSpec.class);
            } catch (IOException e) {
                throw new UncheckedIOException("batch recipe: cannot read the model spec", e);
            }
        }
        return spec;
    }

    public InputBatcher inputBatcher() {
        return InputBatcher.of(spec());
    }

    public TargetBuilder targetBuilder() {
        return new TargetBuilder(spec());
    }

    public FlipDecision flips() {
        return new FlipDecision(seed, FLIP_PROBABILITY);
    }

    /** The batch loader a Spark worker runs; {@code source} names the records in messages. */
    public BatchLoader newLoader(String source) {
        return new BatchLoader(inputBatcher(), targetBuilder(), flips(), source);
    }

    /** A local iterator over {@code dataset} with these settings (training mode: shuffled per epoch, flipped). */
    public RetinaNetIterator.Builder localIterator(DetectionDataset dataset) {
        return configure(RetinaNetIterator.builder(dataset, spec()));
    }

    /** A local iterator over {@code reader}'s records with these settings. */
    public RetinaNetIterator.Builder localIterator(RecordReader reader) {
        return configure(RetinaNetIterator.builder(reader, spec()));
    }

    private RetinaNetIterator.Builder configure(RetinaNetIterator.Builder builder) {
        return builder.withTargets().training(true).flipProbability(FLIP_PROBABILITY).seed(seed);
    }
}
