package org.retinanet4j.layers;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/** Copies every setting of a built DL4J layer configuration into an instance of a subclass. */
final class LayerSettings {
    private LayerSettings() {
    }

    /**
     * DL4J's layer builders validate and fill dozens of inherited fields; copying them from a layer the builder
     * made keeps every one of them (and any a later DL4J release adds) without listing them here.
     */
    static <T> T copy(Object from, T to) {
        if (!from.getClass().isAssignableFrom(to.getClass())) {
            throw new IllegalArgumentException(to.getClass() + " is not a " + from.getClass());
        }
        for (Class<?> c = from.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    f.set(to, f.get(from));
                } catch (IllegalAccessException | RuntimeException e) {
                    throw new IllegalStateException("cannot copy layer setting " + c.getName() + "." + f.getName(), e);
                }
            }
        }
        return to;
    }
}
