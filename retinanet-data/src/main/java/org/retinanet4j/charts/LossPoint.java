package org.retinanet4j.charts;

/** The training loss (the network's score) after an iteration. */
public record LossPoint(long iteration, double loss) {
}
