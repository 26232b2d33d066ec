package org.retinanet4j.gradcheck;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Central-difference gradient check of a {@link ComputationGraph} on a sample of entries of every parameter array.
 *
 * <p>Why not {@code GradientCheckUtil.checkGradients(GraphConfig)}: in DL4J 1.0.0-M2.1 its graph path ignores
 * {@code subset} and {@code maxPerParam} (they only act on MultiLayerNetwork; verified with {@code javap}) and
 * perturbs every single parameter. A ResNet backbone has millions, so that check cannot finish. This class does
 * exactly what the graph path does per entry (backprop gradient after a no-op updater pass, then
 * {@code score(mds, true)} at w+eps and w-eps, cs231n relative error with an absolute floor) but only for the
 * entry of largest backprop gradient plus a few seeded random entries of each array.
 */
public final class SampledGradientCheck {
    private static final Logger log = LoggerFactory.getLogger(SampledGradientCheck.class);

    private double epsilon = 1e-6;
    private double maxRelError = 1e-3;
    private double minAbsoluteError = 1e-8;
    private int randomEntriesPerArray = 2;
    private long seed = 12345;
    private Predicate<String> include = k -> true;

    /** One checked entry. */
    public record Entry(String param, long index, double backprop, double numerical, double relError,
                        boolean passed) {
    }

    /** Every checked entry and which parameter arrays were covered. */
    public record Result(List<Entry> entries, Set<String> checkedArrays) {
        public List<Entry> failures() {
            return entries.stream().filter(e -> !e.passed()).toList();
        }

        public double maxRelError() {
            return entries.stream().mapToDouble(Entry::relError).max().orElse(0);
        }
    }

    public SampledGradientCheck epsilon(double v) {
        epsilon = v;
        return this;
    }

    public SampledGradientCheck maxRelError(double v) {
        maxRelError = v;
        return this;
    }

    public SampledGradientCheck minAbsoluteError(double v) {
        minAbsoluteError = v;
        return this;
    }

    public SampledGradientCheck randomEntriesPerArray(int v) {
        randomEntriesPerArray = v;
        return this;
    }

    public SampledGradientCheck seed(long v) {
        seed = v;
        return this;
    }

    /** Which parameter keys ({@code vertex_param}) to check. */
    public SampledGradientCheck include(Predicate<String> v) {
        include = v;
        return this;
    }

    public Result run(ComputationGraph net, INDArray[] inputs, INDArray[] labels) {
        if (net.getConfiguration().getDataType() != DataType.DOUBLE || net.params().dataType() != DataType.DOUBLE) {
            throw new IllegalStateException("gradient checks need a DOUBLE network");
        }
        net.setInputs(inputs);
        net.setLabels(labels);
        net.computeGradientAndScore();
        Gradient gradient = net.gradient();
        // Same as GradientCheckUtil: let the (NoOp) updater see the gradient, so any normalisation applies.
        new ComputationGraphUpdater(net).update(gradient, 0, 0, (int) inputs[0].size(0),
                LayerWorkspaceMgr.noWorkspaces());
        Map<String, INDArray> grads = gradient.gradientForVariable();
        Map<String, INDArray> params = net.paramTable();
        MultiDataSet mds = new MultiDataSet(inputs, labels);
        Random random = new Random(seed);

        List<Entry> entries = new ArrayList<>();
        Set<String> checked = new LinkedHashSet<>();
        for (Map.Entry<String, INDArray> p : params.entrySet()) {
            String key = p.getKey();
            if (!include.test(key)) {
                continue;
            }
            INDArray grad = grads.get(key);
            if (grad == null) {
                throw new IllegalStateException("no backprop gradient for parameter " + key);
            }
            INDArray g = grad.dup();
            INDArray w = p.getValue();
            for (long i : sample(g, random)) {
                entries.add(checkOne(net, mds, key, w, i, g.getDouble(i)));
            }
            checked.add(key);
        }
        Result r = new Result(entries, checked);
        log.info("sampled gradient check: {} entries of {} arrays, {} failed, largest relative error {}",
                entries.size(), checked.size(), r.failures().size(), r.maxRelError());
        return r;
    }

    /** The entry of largest |gradient| (so a non-zero gradient is always checked) plus seeded random ones. */
    private long[] sample(INDArray g, Random random) {
        long n = g.length();
        Set<Long> idx = new LinkedHashSet<>();
        idx.add(Transforms.abs(g.reshape(n), true).argMax(0).getLong(0));
        for (int k = 0; k < randomEntriesPerArray && idx.size() < n; k++) {
            idx.add((long) random.nextInt((int) Math.min(n, Integer.MAX_VALUE)));
        }
        return idx.stream().mapToLong(Long::longValue).toArray();
    }

    private Entry checkOne(ComputationGraph net, MultiDataSet mds, String key, INDArray w, long i,
                           double backprop) {
        double orig = w.getDouble(i);
        w.putScalar(i, orig + epsilon);
        double plus = net.score(mds, true);
        w.putScalar(i, orig - epsilon);
        double minus = net.score(mds, true);
        w.putScalar(i, orig);
        double numerical = (plus - minus) / (2 * epsilon);
        if (Double.isNaN(numerical)) {
            throw new IllegalStateException("numerical gradient is NaN for " + key + "[" + i + "]");
        }
        double rel = backprop == 0 && numerical == 0 ? 0
                : Math.abs(backprop - numerical) / (Math.abs(backprop) + Math.abs(numerical));
        boolean passed = rel <= maxRelError || Math.abs(backprop - numerical) < minAbsoluteError;
        if (!passed) {
            log.warn("{}[{}] FAILED: backprop {} numerical {} relative error {}", key, i, backprop, numerical, rel);
        }
        return new Entry(key, i, backprop, numerical, rel, passed);
    }
}
