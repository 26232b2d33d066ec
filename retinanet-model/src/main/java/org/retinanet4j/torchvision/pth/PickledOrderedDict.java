package org.retinanet4j.torchvision.pth;

import java.util.HashMap;
import java.util.LinkedHashMap;

/**
 * A Python {@code collections.OrderedDict} as {@link TorchUnpickler} builds it: insertion order kept, instance
 * attributes (a state dict's {@code _metadata}, the module versions) dropped: the tensor names tell the layout.
 * Public only because the pickle library calls {@link #__setstate__} by reflection.
 */
public final class PickledOrderedDict extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;

    /** BUILD: the pickled instance attributes; ignored. */
    public void __setstate__(HashMap<String, Object> attributes) {
        // nothing to keep
    }
}
