package org.retinanet4j.zoo;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * How a graph is built and run, beside what it computes (the {@code RetinaNetSpec}): initialisation seed, DL4J
 * workspace and cache modes, data type. Not saved with the model's spec: they do not change a trained model's
 * outputs beyond floating-point precision, and a restored graph keeps its own.
 */
record GraphOptions(long seed, WorkspaceMode workspaceMode, CacheMode cacheMode, DataType dataType) {
}
