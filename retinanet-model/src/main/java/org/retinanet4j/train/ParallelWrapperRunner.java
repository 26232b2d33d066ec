package org.retinanet4j.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * Data-parallel training with DL4J's {@link ParallelWrapper} in {@code AVERAGING} mode: each worker (one per GPU on
 * the CUDA backend; worker 0 is the graph itself) takes a step on its own batch from the same parameters and updater
 * state, and both are then replaced by their mean (ParallelWrapperTrainingTest); for SGD that is one step on the
 * combined batch. (The field notes: {@code SHARED_GRADIENTS} undercounts
 * SameDiff parameters and hangs; averaging works as is.) The wrapper is fed bounded slices of the epoch so the
 * trainer regains control for checkpoints, validation and guards; one optimiser step = one batch per worker.
 *
 * <p>Each {@code fit} call of the wrapper starts its workers afresh, and in DL4J M2.1 a worker copies the graph's
 * parameters and updater state on its own thread while worker 0 (the graph itself) may already be training: a
 * copy taken after worker 0's first update starts from the wrong point (ParallelWrapperTrainingTest caught this).
 * {@link ReplicaGate} holds worker 0 after its first forward pass until the other workers have reached theirs,
 * i.e. have made their copies.
 */
final class ParallelWrapperRunner implements StepRunner {
    private final ComputationGraph graph;
    private final int workers;
    private final ParallelWrapper wrapper;
    private final AtomicReference<Double> lastLoss = new AtomicReference<>(Double.NaN);
    private final ReplicaGate gate;

    ParallelWrapperRunner(ComputationGraph graph, int workers, List<TrainingListener> listeners) {
        if (workers < 2) {
            throw new IllegalArgumentException("ParallelWrapper needs at least 2 workers, got " + workers);
        }
        this.graph = graph;
        this.workers = workers;
        this.wrapper = new ParallelWrapper.Builder<>(graph)
                .workers(workers)
                .prefetchBuffer(2)
                .averagingFrequency(1)
                .averageUpdaters(true)
                .reportScoreAfterAveraging(true)
                .trainingMode(ParallelWrapper.TrainingMode.AVERAGING)
                .build();
        this.gate = new ReplicaGate(graph);
        List<TrainingListener> all = new ArrayList<>(listeners);
        all.add(gate);
        all.add(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                lastLoss.set(model.score());
            }
        });
        wrapper.setListeners(all);
    }

    @Override
    public Outcome run(MultiDataSetIterator it, int maxSteps, TrainingState before) {
        Slice slice = new Slice(it, maxSteps * workers);
        lastLoss.set(Double.NaN);
        gate.open(() -> Math.min(slice.taken, workers) - 1);
        wrapper.fit(slice);
        if (wrapper.getException() != null) {
            throw new IllegalStateException("a ParallelWrapper worker failed: " + wrapper.getException().getMessage(),
                    wrapper.getException());
        }
        int steps = (slice.taken + workers - 1) / workers;
        double loss = slice.taken > 0 ? lastLoss.get() : Double.NaN;
        return new Outcome(slice.taken, steps, slice.images, loss, false);
    }

    @Override
    public int batchesPerStep() {
        return workers;
    }

    @Override
    public void close() {
        wrapper.shutdown();
    }

    /**
     * Holds the graph's first forward pass of a wrapper {@code fit} until as many other workers as the first round
     * feeds have made their first forward pass (which they start only after copying the graph's parameters and
     * updater state). Later rounds pass straight through.
     */
    private static final class ReplicaGate extends BaseTrainingListener {
        private static final Logger log = LoggerFactory.getLogger(ReplicaGate.class);
        private static final long MAX_WAIT_NANOS = TimeUnit.MINUTES.toNanos(10);
        private final ComputationGraph graph;
        private final AtomicInteger replicasStarted = new AtomicInteger();
        private volatile IntSupplier replicasExpected = () -> 0;
        private volatile boolean graphStarted;

        ReplicaGate(ComputationGraph graph) {
            this.graph = graph;
        }

        /** Before each wrapper fit; {@code expected} is read at the graph's first forward pass (the first round fed). */
        void open(IntSupplier expected) {
            replicasStarted.set(0);
            replicasExpected = expected;
            graphStarted = false;
        }

        @Override
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            if (model != graph) {
                replicasStarted.incrementAndGet();
                return;
            }
            if (graphStarted) {
                return;
            }
            graphStarted = true;
            int expected = replicasExpected.getAsInt();
            long deadline = System.nanoTime() + MAX_WAIT_NANOS;
            while (replicasStarted.get() < expected) {
                if (System.nanoTime() > deadline) {
                    log.warn("{} of {} ParallelWrapper workers did not start within 10 minutes; going on",
                            expected - replicasStarted.get(), expected);
                    return;
                }
                LockSupport.parkNanos(100_000L);
            }
        }
    }

    /** At most {@code limit} batches of the underlying epoch iterator; not resettable (the trainer owns order). */
    private static final class Slice implements MultiDataSetIterator {
        private final MultiDataSetIterator source;
        private final int limit;
        private volatile int taken;
        private long images;

        Slice(MultiDataSetIterator source, int limit) {
            this.source = source;
            this.limit = limit;
        }

        @Override
        public boolean hasNext() {
            return taken < limit && source.hasNext();
        }

        @Override
        public MultiDataSet next() {
            MultiDataSet m = source.next();
            taken++;
            images += m.getFeatures(0).size(0);
            return m;
        }

        @Override
        public MultiDataSet next(int num) {
            return next();
        }

        @Override
        public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
            throw new UnsupportedOperationException("set the pre-processor on the source iterator");
        }

        @Override
        public MultiDataSetPreProcessor getPreProcessor() {
            return source.getPreProcessor();
        }

        @Override
        public boolean resetSupported() {
            return false;
        }

        @Override
        public boolean asyncSupported() {
            return false;
        }

        @Override
        public void reset() {
            throw new UnsupportedOperationException("a slice of an epoch cannot be reset");
        }
    }
}
