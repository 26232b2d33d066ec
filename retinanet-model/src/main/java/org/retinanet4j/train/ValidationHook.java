package org.retinanet4j.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

/** Periodic validation during training, e.g. COCO mAP on a validation split (the evaluation module provides it). */
@FunctionalInterface
public interface ValidationHook {
    /** Evaluates the graph as it is now; returns the figure to report (mAP@[.5:.95] by convention). */
    double validate(ComputationGraph graph);
}
