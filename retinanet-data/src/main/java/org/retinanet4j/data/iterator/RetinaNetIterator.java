package org.retinanet4j.data.iterator;

import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.SkippedImages;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.data.transform.FlipDecision;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.targets.TargetBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Minibatches of a {@link DetectionDataset} for a RetinaNet of a given {@link RetinaNetSpec}: features
 * {@code [image]} = {@code [N, 3, H, W]} prepared by the spec's {@link InputBatcher} (resize, flip, normalise, pad
 * to the spec's padding multiple), labels {@code [classTargets, boxTargets]} from a {@link TargetBuilder} of the
 * spec's anchors and classes when asked for ({@link Builder#withTargets()}); every {@code MultiDataSet} carries one {@link SampleMetadata} per example (image id,
 * flip, resize geometry) as example metadata, also returned by {@link #lastBatchMetadata()}.
 *
 * <p>Order and augmentation are functions of (seed, epoch, position): in training the images are shuffled per
 * epoch ({@link EpochOrder}) and flipped with probability 0.5 ({@link FlipDecision}), so {@link #startAt} can
 * resume at batch k of epoch e with exactly the batches an uninterrupted run would have seen. {@link #reset()}
 * moves to the next epoch once the current one has been started.
 *
 * <p>Loading runs ahead on {@code loaderThreads} background threads (each decodes and assembles whole batches;
 * batches come back in order); 0 threads loads on the caller's thread. A missing, unreadable or wrongly sized
 * image is skipped and counted ({@link #skippedImages()}): its batch is one example shorter, and a batch whose
 * images all fail is skipped. The first few skipped images are logged by name, the rest summarised at the end of
 * the epoch ({@link SkippedImages}). {@link #asyncSupported()} is false because the iterator prefetches itself
 * (DL4J's async wrapper would also separate batches from {@link #lastBatchMetadata()}).
 */
public final class RetinaNetIterator implements MultiDataSetIterator, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetinaNetIterator.class);
    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

    private final DetectionDataset dataset;
    private final RetinaNetSpec spec;
    private final TargetBuilder targets;
    private final SampleLoader loader;
    private final BatchAssembler assembler;
    private final int[] images;         // dataset positions iterated over
    private final int batchSize;
    private final boolean shuffle;
    private final FlipDecision flip;
    private final long seed;
    private final int prefetch;
    private final ExecutorService executor;
    private final SkippedImages skipped = new SkippedImages(log);
    private final AtomicLong emptyBatches = new AtomicLong();
    private boolean summarised;
    private final ArrayDeque<Future<MultiDataSet>> pending = new ArrayDeque<>();

    private MultiDataSetPreProcessor preProcessor;
    private int epoch;
    private int[] order;
    private int nextToSubmit;
    private int nextToTake;
    private boolean started;
    private MultiDataSet ready;
    private List<SampleMetadata> lastMetadata = List.of();

    private RetinaNetIterator(Builder b) {
        this.dataset = b.dataset;
        this.spec = b.spec;
        this.targets = b.withTargets ? new TargetBuilder(b.spec) : null;
        InputBatcher batcher = b.input != null ? b.input : InputBatcher.of(b.spec);
        this.loader = new SampleLoader(b.dataset, batcher);
        this.assembler = new BatchAssembler(batcher, targets);
        this.images = b.images != null ? b.images.clone() : identity(b.dataset.numImages());
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.flip = new FlipDecision(b.seed, b.flipProbability);
        this.seed = b.seed;
        this.prefetch = Math.max(1, b.prefetchBatches);
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

    /** Starts configuring an iterator over {@code dataset} for a model of {@code spec}. */
    public static Builder builder(DetectionDataset dataset, RetinaNetSpec spec) {
        return new Builder(dataset, spec);
    }

    /** The model spec the batches are prepared for. */
    public RetinaNetSpec spec() {
        return spec;
    }

    /** The target builder of the labels, or null when the batches have none. */
    public TargetBuilder targetBuilder() {
        return targets;
    }

    /** Number of batches per epoch. */
    public int batchesPerEpoch() {
        return (images.length + batchSize - 1) / batchSize;
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
        return skipped.total();
    }

    /** Boxes dropped so far because they had no area after clipping/resizing. */
    public long droppedBoxes() {
        return loader.droppedBoxes();
    }

    /** Per-example metadata of the batch last returned by {@link #next()}. */
    public List<SampleMetadata> lastBatchMetadata() {
        return lastMetadata;
    }

    /**
     * Continues from batch {@code batch} of epoch {@code epoch}: the following batches are those an uninterrupted
     * run would have produced from that point (same order, same flips).
     */
    public void startAt(int epoch, int batch) {
        if (epoch < 0 || batch < 0 || batch > batchesPerEpoch()) {
            throw new IllegalArgumentException("cannot start at epoch " + epoch + ", batch " + batch + " (an epoch has "
                    + batchesPerEpoch() + " batches)");
        }
        cancelPending();
        summariseSkips();
        this.epoch = epoch;
        int[] positions = EpochOrder.of(images.length, shuffle, seed, epoch);
        int[] o = new int[positions.length];
        for (int i = 0; i < o.length; i++) {
            o[i] = images[positions[i]];
        }
        this.order = o;
        this.nextToSubmit = batch;
        this.nextToTake = batch;
        this.summarised = false;
        this.started = batch > 0;
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
            if (nextToTake >= batchesPerEpoch()) {
                summariseSkips();
                return false;
            }
            fillPipeline();
            MultiDataSet batch = await(pending.poll());
            nextToTake++;
            ready = batch;     // null when every image of the batch was skipped
        }
        return true;
    }

    private void fillPipeline() {
        while (pending.size() < prefetch && nextToSubmit < batchesPerEpoch()) {
            int b = nextToSubmit++;
            int e = epoch;
            int[] o = order;
            if (executor == null) {
                MultiDataSet mds = loadBatch(e, o, b);
                pending.add(java.util.concurrent.CompletableFuture.completedFuture(mds));
            } else {
                pending.add(executor.submit(() -> loadBatch(e, o, b)));
            }
        }
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

    private MultiDataSet loadBatch(int e, int[] o, int batch) {
        int from = batch * batchSize;
        int to = Math.min(o.length, from + batchSize);
        List<LoadedSample> samples = new ArrayList<>(to - from);
        for (int p = from; p < to; p++) {
            int image = o[p];
            try {
                samples.add(loader.load(image, flip.flip(e, image)));
            } catch (IOException ex) {
                skipped.skipped(dataset.fileName(image), dataset.imageId(image), ex.getMessage());
            }
        }
        if (samples.isEmpty()) {
            if (emptyBatches.incrementAndGet() == 1) {
                log.warn("epoch {} batch {}: every image was skipped; moving on (further such batches are counted)",
                        e, batch);
            }
            return null;
        }
        try {
            return assembler.assemble(samples);
        } catch (IllegalArgumentException ex) {
            StringBuilder ids = new StringBuilder();
            for (LoadedSample s : samples) {
                ids.append(ids.length() == 0 ? "" : ", ").append(s.imageId());
            }
            throw new IllegalArgumentException("epoch " + e + " batch " + batch + " (image ids " + ids + " of "
                    + dataset.source() + "): " + ex.getMessage(), ex);
        }
    }

    /** One summary per epoch of the images and batches skipped in it, instead of a line per image. */
    private void summariseSkips() {
        if (summarised) {
            return;
        }
        summarised = true;
        String scope = "epoch " + epoch + " of " + dataset.source();
        skipped.summarise(scope);
        long empty = emptyBatches.getAndSet(0);
        if (empty > 1) {
            log.warn("{}: {} batches had no image left and were skipped", scope, empty);
        }
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
        private final DetectionDataset dataset;
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

        private Builder(DetectionDataset dataset, RetinaNetSpec spec) {
            if (dataset == null || spec == null) {
                throw new IllegalArgumentException("RetinaNetIterator: dataset and spec must be given");
            }
            this.dataset = dataset;
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
         * Iterate over these dataset positions only (default: every image), e.g. a split of one dataset or
         * {@link DetectionDataset#imagesWithObjects()} to leave out images without boxes as torchvision's COCO
         * reference training does.
         */
        public Builder images(int[] datasetPositions) {
            for (int p : datasetPositions) {
                if (p < 0 || p >= dataset.numImages()) {
                    throw new IllegalArgumentException("image position " + p + " is outside 0.."
                            + (dataset.numImages() - 1));
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
