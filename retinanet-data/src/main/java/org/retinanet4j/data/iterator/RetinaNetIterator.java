package org.retinanet4j.data.iterator;

import org.datavec.api.records.reader.RecordReader;
import org.datavec.api.writable.Writable;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.SkippedImages;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.data.records.DetectionRecord;
import org.retinanet4j.data.records.DetectionRecordReader;
import org.retinanet4j.data.records.IndexedRecordReader;
import org.retinanet4j.data.transform.FlipDecision;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.targets.TargetBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Minibatches for a RetinaNet of a given {@link RetinaNetSpec} from any DataVec {@code RecordReader} whose records
 * follow {@link DetectionRecord}'s layout (image, boxes, classes, image id): the COCO, VOC and CSV readers of
 * {@code data.records}, a {@link DetectionDataset} already read ({@link #builder(DetectionDataset, RetinaNetSpec)}),
 * or a reader of your own. Features {@code [image]} = {@code [N, 3, H, W]} prepared by the spec's
 * {@link InputBatcher} (resize, flip, normalise, pad to the spec's padding multiple), labels
 * {@code [classTargets, boxTargets]} from a {@link TargetBuilder} of the spec's anchors and classes when asked for
 * ({@link Builder#withTargets()}); every {@code MultiDataSet} carries one {@link SampleMetadata} per example (image id,
 * flip, resize geometry) as example metadata, also returned by {@link #lastBatchMetadata()}.
 *
 * <p>Order and augmentation are functions of (seed, epoch, position): in training the records of an
 * {@link IndexedRecordReader} are shuffled per epoch ({@link EpochOrder}) and flipped with probability 0.5
 * ({@link FlipDecision}), so {@link #startAt} can resume at batch k of epoch e with exactly the batches an
 * uninterrupted run would have seen. A plain {@code RecordReader} is read in its own order (reset at each epoch;
 * flips still follow (seed, epoch, position)). {@link #reset()} moves to the next epoch once the current one has
 * been started.
 *
 * <p>Loading runs ahead on {@code loaderThreads} background threads (each decodes and assembles whole batches
 * with a {@link BatchLoader}; batches come back in order); 0 threads loads on the caller's thread. A plain reader's
 * records are read on the caller's thread, their images decoded on the loader threads. A missing, unreadable or
 * wrongly sized image is skipped and counted ({@link #skippedImages()}): its batch is one example shorter, and a
 * batch whose images all fail is skipped. The first few skipped images are logged by name, the rest summarised at
 * the end of the epoch ({@link SkippedImages}). A record that does not fit the layout stops the iteration with an
 * {@link org.retinanet4j.data.records.InvalidRecordException} naming the record and the field.
 * {@link #asyncSupported()} is false because the iterator prefetches itself
 * (DL4J's async wrapper would also separate batches from {@link #lastBatchMetadata()}).
 */
public final class RetinaNetIterator implements MultiDataSetIterator, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetinaNetIterator.class);
    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

    private final RecordReader reader;
    private final IndexedRecordReader indexed;      // null: a plain reader, read in its own order
    private final RetinaNetSpec spec;
    private final TargetBuilder targets;
    private final BatchLoader batches;
    private final int[] images;                     // indexed: the record positions iterated over
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int prefetch;
    private final ExecutorService executor;
    private boolean summarised;
    private final ArrayDeque<Future<MultiDataSet>> pending = new ArrayDeque<>();

    private MultiDataSetPreProcessor preProcessor;
    private int epoch;
    private int[] order;
    private int nextToSubmit;
    private int nextToTake;
    private boolean started;
    private boolean readerUsed;                     // plain reader: records were read since the last reset
    private boolean readerExhausted;
    private int sequentialPosition;
    private MultiDataSet ready;
    private List<SampleMetadata> lastMetadata = List.of();

    private RetinaNetIterator(Builder b) {
        this.reader = b.reader;
        this.indexed = b.reader instanceof IndexedRecordReader r ? r : null;
        this.spec = b.spec;
        this.targets = b.withTargets ? new TargetBuilder(b.spec) : null;
        InputBatcher batcher = b.input != null ? b.input : InputBatcher.of(b.spec);
        this.batches = new BatchLoader(batcher, targets, new FlipDecision(b.seed, b.flipProbability),
                describe(b.reader));
        this.images = indexed == null ? null : b.images != null ? b.images.clone() : identity(indexed.numRecords());
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.prefetch = Math.max(1, b.prefetchBatches);
        if (indexed == null && b.shuffle) {
            log.info("{} is not an IndexedRecordReader: its records come in its own order (shuffle them in the reader, "
                    + "e.g. with a FileSplit given a Random)", describe(b.reader));
        }
        if (b.loaderThreads > 0) {
            int pool = POOL_NUMBER.incrementAndGet();
            AtomicInteger thread = new AtomicInteger();
            this.executor = Executors.newFixedThreadPool(b.loaderThreads, r -> {
                Thread t = new Thread(r, "retinanet-loader-" + pool + "-" + thread.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        } else {
            this.executor = null;
        }
        startAt(0, 0);
    }

    private static int[] identity(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    private static String describe(RecordReader reader) {
        return reader instanceof DetectionRecordReader d ? d.dataset().source() : reader.getClass().getSimpleName();
    }

    /** The model spec the batches are prepared for. */
    public RetinaNetSpec spec() {
        return spec;
    }

    /** The target builder of the labels, or null when the batches have none. */
    public TargetBuilder targetBuilder() {
        return targets;
    }

    /**
     * Starts configuring an iterator over the records of a dataset already read (COCO, VOC, CSV, synthetic) for a
     * model of {@code spec}.
     */
    public static Builder builder(DetectionDataset dataset, RetinaNetSpec spec) {
        if (dataset == null) {
            throw new IllegalArgumentException("RetinaNetIterator: dataset and spec must be given");
        }
        return new Builder(new DetectionRecordReader(dataset), spec);
    }

    /**
     * Starts configuring an iterator over any DataVec reader, initialised, whose records follow
     * {@link DetectionRecord}'s layout. An {@link IndexedRecordReader} is shuffled per epoch, loaded on the loader
     * threads and resumed without reading what comes before; any other reader is read in its own order, reset at
     * each epoch. Batches are prepared for a model of {@code spec}.
     */
    public static Builder builder(RecordReader reader, RetinaNetSpec spec) {
        return new Builder(reader, spec);
    }

    /** Number of batches per epoch; -1 for a plain (not indexed) reader, whose record count is not known. */
    public int batchesPerEpoch() {
        return indexed == null ? -1 : (images.length + batchSize - 1) / batchSize;
    }

    /** The epoch being iterated (0-based). */
    public int epoch() {
        return epoch;
    }

    /** Index within the epoch of the batch the next {@link #next()} returns (or would, before skips). */
    public int nextBatchIndex() {
        return nextToTake;
    }

    /** Images skipped so far because they were missing, unreadable or of the wrong size. */
    public long skippedImages() {
        return batches.skippedImages();
    }

    /** Boxes dropped so far because they had no area after clipping/resizing. */
    public long droppedBoxes() {
        return batches.droppedBoxes();
    }

    /** Per-example metadata of the batch last returned by {@link #next()}. */
    public List<SampleMetadata> lastBatchMetadata() {
        return lastMetadata;
    }

    /**
     * Continues from batch {@code batch} of epoch {@code epoch}: the following batches are those an uninterrupted
     * run would have produced from that point (same order, same flips). A plain reader is reset and the records
     * before that batch are read and dropped (their images are not decoded).
     */
    public void startAt(int epoch, int batch) {
        if (epoch < 0 || batch < 0 || (indexed != null && batch > batchesPerEpoch())) {
            throw new IllegalArgumentException("cannot start at epoch " + epoch + ", batch " + batch + " (an epoch has "
                    + batchesPerEpoch() + " batches)");
        }
        cancelPending();
        summariseSkips();
        this.epoch = epoch;
        if (indexed != null) {
            int[] positions = EpochOrder.of(images.length, shuffle, seed, epoch);
            int[] o = new int[positions.length];
            for (int i = 0; i < o.length; i++) {
                o[i] = images[positions[i]];
            }
            this.order = o;
        } else {
            rewindReader();
            for (long skip = (long) batch * batchSize; skip > 0 && reader.hasNext(); skip--) {
                reader.next();
                sequentialPosition++;
            }
        }
        this.nextToSubmit = batch;
        this.nextToTake = batch;
        this.summarised = false;
        this.started = batch > 0;
    }

    private void rewindReader() {
        if (readerUsed) {
            if (!reader.resetSupported()) {
                throw new IllegalStateException(describe(reader) + " cannot be reset, so the iterator cannot start "
                        + "another epoch or go back");
            }
            reader.reset();
        }
        readerUsed = false;
        readerExhausted = false;
        sequentialPosition = 0;
    }

    @Override
    public boolean hasNext() {
        return ensureReady();
    }

    @Override
    public MultiDataSet next() {
        if (!ensureReady()) {
            throw new NoSuchElementException("epoch " + epoch + " is finished; call reset()");
        }
        MultiDataSet out = ready;
        ready = null;
        started = true;
        @SuppressWarnings("unchecked")
        List<SampleMetadata> meta = (List<SampleMetadata>) (List<?>) out.getExampleMetaData();
        lastMetadata = meta;
        if (preProcessor != null) {
            preProcessor.preProcess(out);
        }
        return out;
    }

    @Override
    public MultiDataSet next(int num) {
        throw new UnsupportedOperationException("the batch size is fixed at construction (" + batchSize + ")");
    }

    /** Moves to the next epoch (or restarts the current one if no batch of it has been taken yet). */
    @Override
    public void reset() {
        startAt(started ? epoch + 1 : epoch, 0);
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    /** Stops the loader threads. */
    @Override
    public void close() {
        summariseSkips();
        cancelPending();
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private boolean ensureReady() {
        while (ready == null) {
            fillPipeline();
            Future<MultiDataSet> next = pending.poll();
            if (next == null) {
                summariseSkips();
                return false;
            }
            MultiDataSet batch = await(next);
            nextToTake++;
            ready = batch;     // null when every image of the batch was skipped
        }
        return true;
    }

    private void fillPipeline() {
        while (pending.size() < prefetch) {
            int b = nextToSubmit;
            int e = epoch;
            int[] positions;
            List<List<Writable>> records;
            if (indexed != null) {
                if (b >= batchesPerEpoch()) {
                    return;
                }
                positions = Arrays.copyOfRange(order, b * batchSize, Math.min(order.length, (b + 1) * batchSize));
                records = null;     // read on the loader thread: IndexedRecordReader.record is thread-safe
            } else {
                records = readSequentialBatch();
                if (records.isEmpty()) {
                    return;
                }
                positions = new int[records.size()];
                for (int k = 0; k < positions.length; k++) {
                    positions[k] = sequentialPosition - records.size() + k;
                }
            }
            nextToSubmit++;
            if (executor == null) {
                pending.add(CompletableFuture.completedFuture(loadBatch(e, b, positions, records)));
            } else {
                pending.add(executor.submit(() -> loadBatch(e, b, positions, records)));
            }
        }
    }

    /** Up to one batch of records from a plain reader, read on the calling thread (readers are not thread-safe). */
    private List<List<Writable>> readSequentialBatch() {
        List<List<Writable>> out = new ArrayList<>(batchSize);
        while (out.size() < batchSize && !readerExhausted) {
            if (!reader.hasNext()) {
                readerExhausted = true;
                break;
            }
            readerUsed = true;
            out.add(reader.next());
            sequentialPosition++;
        }
        return out;
    }

    private MultiDataSet loadBatch(int e, int batch, int[] positions, List<List<Writable>> records) {
        List<List<Writable>> r = records;
        if (r == null) {
            r = new ArrayList<>(positions.length);
            for (int p : positions) {
                r.add(indexed.record(p));
            }
        }
        return batches.load(e, batch, positions, r);
    }

    private static MultiDataSet await(Future<MultiDataSet> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("batch loading failed: " + c, c);
        }
    }

    /** One summary per epoch of the images and batches skipped in it, instead of a line per image. */
    private void summariseSkips() {
        if (summarised) {
            return;
        }
        summarised = true;
        batches.summarise("epoch " + epoch + " of " + describe(reader));
    }

    private void cancelPending() {
        for (Future<MultiDataSet> f : pending) {
            f.cancel(false);
        }
        pending.clear();
        ready = null;
    }

    /** Settings of a {@link RetinaNetIterator}; defaults: batch 2, no labels, evaluation mode (no shuffle, no flip). */
    public static final class Builder {
        private final RecordReader reader;
        private final RetinaNetSpec spec;
        private boolean withTargets;
        private InputBatcher input;
        private int batchSize = 2;
        private boolean shuffle;
        private double flipProbability;
        private long seed = 12345;
        private int loaderThreads = 1;
        private int prefetchBatches = -1;
        private int[] images;

        private Builder(RecordReader reader, RetinaNetSpec spec) {
            if (reader == null || spec == null) {
                throw new IllegalArgumentException("RetinaNetIterator: a record reader and a spec must be given");
            }
            this.reader = reader;
            this.spec = spec;
        }

        /** Labels for training: the targets of the spec's anchors and classes. Without, batches have no labels. */
        public Builder withTargets() {
            this.withTargets = true;
            return this;
        }

        /** Input preparation other than the spec's, for tests of the geometry alone. */
        Builder input(InputBatcher batcher) {
            this.input = batcher;
            return this;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Training: shuffle per epoch and flip horizontally with probability 0.5. */
        public Builder training(boolean training) {
            this.shuffle = training;
            this.flipProbability = training ? 0.5 : 0;
            return this;
        }

        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        public Builder flipProbability(double p) {
            this.flipProbability = p;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Iterate over these record positions only (default: every record), e.g. a split of one dataset or
         * {@link DetectionDataset#imagesWithObjects()} to leave out images without boxes as torchvision's COCO
         * reference training does. Needs an {@link IndexedRecordReader}.
         */
        public Builder images(int[] datasetPositions) {
            if (!(reader instanceof IndexedRecordReader r)) {
                throw new IllegalArgumentException("images(...) picks records by position: "
                        + describe(reader) + " is not an IndexedRecordReader");
            }
            for (int p : datasetPositions) {
                if (p < 0 || p >= r.numRecords()) {
                    throw new IllegalArgumentException("image position " + p + " is outside 0.."
                            + (r.numRecords() - 1));
                }
            }
            if (datasetPositions.length == 0) {
                throw new IllegalArgumentException("the iterator needs at least one image");
            }
            this.images = datasetPositions.clone();
            return this;
        }

        /** Background loader threads (0 = load on the calling thread). */
        public Builder loaderThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("loader threads must be >= 0, got " + threads);
            }
            this.loaderThreads = threads;
            return this;
        }

        /** Batches kept in flight (default: loader threads + 1). */
        public Builder prefetchBatches(int batches) {
            this.prefetchBatches = batches;
            return this;
        }

        public RetinaNetIterator build() {
            if (prefetchBatches < 0) {
                prefetchBatches = loaderThreads + 1;
            }
            new FlipDecision(seed, flipProbability);   // validates the probability early
            return new RetinaNetIterator(this);
        }
    }
}
