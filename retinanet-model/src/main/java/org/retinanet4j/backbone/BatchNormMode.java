package org.retinanet4j.backbone;

/** How the backbone's batch normalisation behaves. */
public enum BatchNormMode {
    /**
     * DL4J {@code BatchNormalization} layers (eps 1e-5, decay 0.9 = torchvision's momentum 0.1) that learn and
     * track running statistics: training from scratch, like torchvision without pretrained weights.
     */
    TRAINABLE,
    /**
     * torchvision's {@code FrozenBatchNorm2d}: a fixed per-channel affine map, folded into the preceding
     * convolution (which then has a bias). Exact, and cheaper; used with pretrained backbones. The import folds
     * {@code s = gamma / sqrt(var + eps)}: {@code W' = W * s}, {@code b' = beta - mean * s}.
     */
    FROZEN
}
