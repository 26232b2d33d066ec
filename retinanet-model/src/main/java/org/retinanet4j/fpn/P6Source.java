package org.retinanet4j.fpn;

/** Which feature P6 is computed from. */
public enum P6Source {
    /** The FPN output P5: torchvision's retinanet_resnet50_fpn (v1) default. */
    P5,
    /** The backbone's C5: the RetinaNet paper (and torchvision v2). */
    C5
}
