package org.retinanet4j.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Data-parallel training with DL4J's {@link ParallelWrapper} in {@code AVERAGING} mode: each worker (one per GPU on
 * the CUDA backend) trains a copy of the graph on its own batches and parameters and updater state are averaged
 * every step, which matches one step on the combined batch. (The field notes: {@code SHARED_GRADIENTS} undercounts
 * SameDiff parameters and hangs; averaging works as is.) The wrapper is fed bounded slices of the epoch so the
 * trainer regains control for checkpoints, validation and guards; one optimiser step = one batch per worker.
 */
final class ParallelWrapperRunner implements StepRunner {
    private final ComputationGraph graph;
    private final int workers;
    private final ParallelWrapper wrapper;
    private final AtomicReference<Double> lastLoss = new AtomicReference<>(Double.NaN);

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
        List<TrainingListener> all = new ArrayList<>(listeners);
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

    /** At most {@code limit} batches of the underlying epoch iterator; not resettable (the trainer owns order). */
    private static final class Slice implements MultiDataSetIterator {
        private final MultiDataSetIterator source;
        private final int limit;
        private int taken;
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
