package org.retinanet4j.finetune;

import java.util.List;

import org.retinanet4j.persist.SavedModel;

/**
 * A model made by {@link FineTuning}, and which of its parameter arrays came from the source.
 *
 * @param model       the new model, ready to train
 * @param copied      graph parameter keys whose values were copied from the source
 * @param initialised graph parameter keys left at their fresh initialisation (the class predictor when the classes
 *                    changed: normal 0.01 weights, prior-probability bias; FPN and heads of a backbone-only source)
 */
public record FineTuned(SavedModel model, List<String> copied, List<String> initialised) {
}
