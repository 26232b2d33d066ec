package org.retinanet4j.data.iterator;

import org.datavec.api.writable.Writable;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.data.SkippedImages;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.data.records.DetectionRecord;
import org.retinanet4j.data.transform.FlipDecision;
import org.retinanet4j.targets.TargetBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns the records of one minibatch into a {@code MultiDataSet}: each record is checked against
 * {@link DetectionRecord}'s layout, its image decoded and resized by the {@link SampleLoader} (flipped when the
 * {@link FlipDecision} says so for (epoch, position)), and the samples stacked with targets by the
 * {@link BatchAssembler}; both prepare the pixels with one {@link InputBatcher} (a model's:
 * {@code InputBatcher.of(spec)}). {@link RetinaNetIterator} runs it on its loader threads, and Spark training on its
 * workers, so both produce the same batches from the same records. Thread-safe.
 *
 * <p>A missing, unreadable or wrongly sized image is skipped and counted: its batch is one example shorter, and a
 * batch whose images all fail comes back as null. The first few skipped images are logged by name, the rest
 * summarised by {@link #summarise} ({@link SkippedImages}). A record
 * that does not fit the layout throws an {@link org.retinanet4j.data.records.InvalidRecordException} naming it.
 */
public final class BatchLoader {

    private static final Logger log = LoggerFactory.getLogger(BatchLoader.class);

    private final SampleLoader samples;
    private final BatchAssembler assembler;
    private final FlipDecision flip;
    private final String source;
    private final SkippedImages skipped = new SkippedImages(log);
    private final AtomicLong emptyBatches = new AtomicLong();

    /**
     * @param targets null for batches without labels (evaluation, inference)
     * @param source  names the records in messages (reader, file)
     */
    public BatchLoader(InputBatcher batcher, TargetBuilder targets, FlipDecision flip, String source) {
        this.samples = new SampleLoader(batcher);
        this.assembler = new BatchAssembler(batcher, targets);
        this.flip = flip;
        this.source = source;
    }

    /** Images skipped so far because they were missing, unreadable or of the wrong size. */
    public long skippedImages() {
        return skipped.total();
    }

    /**
     * Logs how many images (and whole batches) were skipped since the last summary; {@code scope} says where, e.g.
     * "epoch 0 of instances_train.json".
     */
    public void summarise(String scope) {
        skipped.summarise(scope);
        long empty = emptyBatches.getAndSet(0);
        if (empty > 1) {
            log.warn("{}: {} batches had no image left and were skipped", scope, empty);
        }
    }

    /** Boxes dropped so far because they had no area after resizing. */
    public long droppedBoxes() {
        return samples.droppedBoxes();
    }

    /**
     * Batch {@code batch} of epoch {@code epoch}: {@code records.get(k)} is the record at position
     * {@code positions[k]} (the position decides the flip and names the record in messages).
     */
    public MultiDataSet load(int epoch, int batch, int[] positions, List<List<Writable>> records) {
        List<LoadedSample> loaded = new ArrayList<>(positions.length);
        for (int k = 0; k < positions.length; k++) {
            int p = positions[k];
            DetectionRecord r = DetectionRecord.parse(records.get(k), "record " + p + " of " + source);
            try {
                loaded.add(samples.load(r, p, flip.flip(epoch, p)));
            } catch (IOException ex) {
                skipped.skipped(r.describeImage() + " (record " + p + " of " + source + ")", r.imageId(),
                        ex.getMessage());
            }
        }
        if (loaded.isEmpty()) {
            if (emptyBatches.incrementAndGet() == 1) {
                log.warn("epoch {} batch {}: every image was skipped; moving on (further such batches are counted)",
                        epoch, batch);
            }
            return null;
        }
        try {
            return assembler.assemble(loaded);
        } catch (IllegalArgumentException ex) {
            StringBuilder ids = new StringBuilder();
            for (LoadedSample s : loaded) {
                ids.append(ids.length() == 0 ? "" : ", ").append(s.imageId());
            }
            throw new IllegalArgumentException("epoch " + epoch + " batch " + batch + " (image ids " + ids + " of "
                    + source + "): " + ex.getMessage(), ex);
        }
    }
}
