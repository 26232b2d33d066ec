package org.retinanet4j.updater;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Arrays;
import java.util.Map;

/**
 * ND4J's {@link Adam} (same settings, same update, same state layout: a model trained with either resumes with
 * the other) whose step runs as {@link FusedAdamUpdater}: one pass over gradient and moments on all cores instead
 * of libnd4j's scalar loop. The project's training recipe uses it for Adam and AdamW
 * ({@code OptimizationRecipe}); a saved configuration names this class, so loading it needs this library on the
 * class path, as the project's layers and vertices do anyway.
 */
public class FusedAdam extends Adam {

    public FusedAdam() {
        super();
    }

    public FusedAdam(ISchedule learningRateSchedule) {
        super(learningRateSchedule);
    }

    public FusedAdam(double learningRate, double beta1, double beta2, double epsilon) {
        super(learningRate, beta1, beta2, epsilon);
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        FusedAdamUpdater u = new FusedAdamUpdater(this);
        INDArray flat = viewArray.reshape(viewArray.length());
        long[] gradientShape = Arrays.copyOf(flat.shape(), flat.rank());
        gradientShape[0] /= 2; // the view holds the first moments, then the second ones
        u.setStateViewArray(flat, gradientShape, flat.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        FusedAdamUpdater u = new FusedAdamUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public FusedAdam clone() {
        FusedAdam copy = new FusedAdam(getLearningRate(), getBeta1(), getBeta2(), getEpsilon());
        copy.setLearningRateSchedule(getLearningRateSchedule() == null ? null : getLearningRateSchedule().clone());
        return copy;
    }
}
