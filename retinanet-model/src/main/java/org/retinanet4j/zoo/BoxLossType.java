package org.retinanet4j.zoo;

/** Box regression loss: torchvision v1 uses L1; smooth L1 is the paper's. */
public enum BoxLossType {
    L1,
    SMOOTH_L1
}
