package org.retinanet4j.charts;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * A DL4J {@code TrainingListener} that records the loss after every iteration, for {@link LossCurveChart}:
 * {@code net.addListeners(history)} before {@code fit}. Scores that are not finite are recorded as they are
 * (the chart leaves them out and says so in its title).
 */
public final class LossHistory extends BaseTrainingListener {

    private final List<LossPoint> points = new ArrayList<>();

    @Override
    public synchronized void iterationDone(Model model, int iteration, int epoch) {
        points.add(new LossPoint(iteration, model.score()));
    }

    /** Records a loss reported some other way (a trainer's progress callback, a log). */
    public synchronized void add(long iteration, double loss) {
        points.add(new LossPoint(iteration, loss));
    }

    /** The points so far, in the order they came. */
    public synchronized List<LossPoint> points() {
        return List.copyOf(points);
    }
}
