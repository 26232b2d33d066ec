package org.retinanet4j.onednn;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@link ConvolutionPrimitives} of one layer or head, by position and geometry, built on first use and kept
 * for the most recently used ones: training uses one input shape, evaluation and inference add a few (another
 * batch size, other image sizes), and each entry holds native memory. Not thread-safe, like the layer that owns it.
 */
public final class ConvolutionCache {
    private static final Logger log = LoggerFactory.getLogger(ConvolutionCache.class);
    private final Map<Key, ConvolutionPrimitives> kept;
    private final Set<ConvolutionGeometry> unsupported = new HashSet<>();

    /** Keeps at most {@code capacity} entries, closing the least recently used one beyond that. */
    public ConvolutionCache(int capacity) {
        kept = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, ConvolutionPrimitives> eldest) {
                boolean remove = size() > capacity;
                if (remove) {
                    eldest.getValue().close();
                }
                return remove;
            }
        };
    }

    /**
     * The primitives for {@code g} at {@code position} (0 for a layer; a head has one per level and convolution,
     * each keeping its own copy of its input), or null when oneDNN has no kernel for {@code g}: logged once for
     * {@code owner}, whose libnd4j path then runs it.
     */
    public ConvolutionPrimitives get(int position, ConvolutionGeometry g, String owner) {
        Key key = new Key(position, g);
        ConvolutionPrimitives prims = kept.get(key);
        if (prims == null && !unsupported.contains(g)) {
            try {
                prims = new ConvolutionPrimitives(g);
                kept.put(key, prims);
            } catch (IllegalStateException e) {
                log.info("{}: {}; libnd4j's conv2d runs it", owner, e.getMessage());
                unsupported.add(g);
            }
        }
        return prims;
    }

    public boolean isEmpty() {
        return kept.isEmpty();
    }

    private record Key(int position, ConvolutionGeometry geometry) {
    }
}
