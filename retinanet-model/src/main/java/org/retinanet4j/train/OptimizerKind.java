package org.retinanet4j.train;

/**
 * The optimisers offered. {@code SGD} is the paper's (momentum 0.9; DL4J's only momentum updater is Nesterov's,
 * which behaves like heavy-ball momentum for the small learning rates used here), {@code ADAM} plain Adam and
 * {@code ADAMW} Adam with decoupled weight decay.
 */
public enum OptimizerKind {
    SGD, ADAM, ADAMW
}
