package org.retinanet4j.bench;

import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

import java.util.List;

/** Pre-built batches as an iterator (benchmarks feed the network without decoding images). */
final class ListMultiDataSetIterator implements MultiDataSetIterator {
    private final List<MultiDataSet> batches;
    private int next;

    ListMultiDataSetIterator(List<MultiDataSet> batches) {
        this.batches = batches;
    }

    @Override public MultiDataSet next(int num) { return next(); }
    @Override public void setPreProcessor(MultiDataSetPreProcessor preProcessor) { throw new UnsupportedOperationException(); }
    @Override public MultiDataSetPreProcessor getPreProcessor() { return null; }
    @Override public boolean resetSupported() { return true; }
    @Override public boolean asyncSupported() { return false; }
    @Override public void reset() { next = 0; }
    @Override public boolean hasNext() { return next < batches.size(); }
    @Override public MultiDataSet next() { return batches.get(next++); }
}
