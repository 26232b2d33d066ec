package org.retinanet4j.persist;

import org.deeplearning4j.nn.graph.ComputationGraph;

/** A RetinaNet graph together with the metadata inference needs. */
public record SavedModel(ComputationGraph graph, ModelMetadata metadata) {
}
