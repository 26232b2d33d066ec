package org.retinanet4j.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.spec.RetinaNetSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A tiny stand-in for the RetinaNet graph (same input/output names) and deterministic data for trainer tests. */
public final class TinyGraphs {
    public static final int SIZE = 8;
    public static final int CLASSES = 3;

    private TinyGraphs() {
    }

    public static ComputationGraph graph(long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Sgd(0.01))
                .weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("image")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, 3))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build(),
                        "image")
                .addLayer("pool", new GlobalPoolingLayer.Builder().build(), "conv")
                .addLayer("cls", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(CLASSES)
                        .activation(Activation.IDENTITY).build(), "pool")
                .addLayer("box", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(4)
                        .activation(Activation.IDENTITY).build(), "pool")
                .setOutputs("cls", "box")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    public static ModelMetadata metadata() {
        return ModelMetadata.of(RetinaNetSpec.builder().numClasses(CLASSES).build(),
                List.of("circle", "square", "triangle"), new int[]{1, 2, 3});
    }

    /** {@code batches} batches per epoch whose order and content depend on (seed, epoch) only. */
    public static TrainingData data(int batches, int batchSize) {
        return epoch -> new ListIterator(batches(batches, batchSize, 1234L * 31 + epoch));
    }

    static List<MultiDataSet> batches(int n, int batchSize, long seed) {
        Random r = new Random(seed);
        List<MultiDataSet> out = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            float[] x = new float[batchSize * 3 * SIZE * SIZE];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            INDArray f = Nd4j.create(x, new long[]{batchSize, 3, SIZE, SIZE});
            // learnable targets: functions of the per-channel means
            INDArray means = f.mean(2, 3);
            INDArray cls = means.mul(2);
            INDArray box = Nd4j.hstack(means.mul(-1), means.getColumn(1, true));
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{f}, new INDArray[]{cls, box}));
        }
        return out;
    }

    /** A list-backed iterator (DL4J's own one cannot be built from MultiDataSets without copying). */
    public static final class ListIterator implements MultiDataSetIterator {
        private final List<MultiDataSet> list;
        private int i;

        public ListIterator(List<MultiDataSet> list) {
            this.list = list;
        }

        @Override public MultiDataSet next(int num) { return next(); }
        @Override public void setPreProcessor(MultiDataSetPreProcessor p) { throw new UnsupportedOperationException(); }
        @Override public MultiDataSetPreProcessor getPreProcessor() { return null; }
        @Override public boolean resetSupported() { return true; }
        @Override public boolean asyncSupported() { return false; }
        @Override public void reset() { i = 0; }
        @Override public boolean hasNext() { return i < list.size(); }
        @Override public MultiDataSet next() { return list.get(i++); }
    }
}
