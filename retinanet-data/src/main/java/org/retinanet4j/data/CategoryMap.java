package org.retinanet4j.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Maps the contiguous class indices 0..K-1 that the network uses to a dataset's own category ids (COCO's are
 * non-contiguous: 1..90 with gaps) and names, and back. Index order is ascending category id, so the same
 * category list always gives the same indices. Immutable.
 */
public final class CategoryMap {

    private final long[] categoryIds;   // ascending
    private final String[] names;

    /**
     * @param categoryIds category ids, distinct, in any order
     * @param names       names, parallel to {@code categoryIds}
     * @throws IllegalArgumentException on duplicates, a length mismatch or an empty list
     */
    public CategoryMap(long[] categoryIds, String[] names) {
        if (categoryIds.length != names.length) {
            throw new IllegalArgumentException("categoryIds and names differ in length");
        }
        if (categoryIds.length == 0) {
            throw new IllegalArgumentException("a category map needs at least one category");
        }
        Integer[] order = new Integer[categoryIds.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(categoryIds[a], categoryIds[b]));
        this.categoryIds = new long[categoryIds.length];
        this.names = new String[names.length];
        for (int i = 0; i < order.length; i++) {
            this.categoryIds[i] = categoryIds[order[i]];
            this.names[i] = Objects.requireNonNull(names[order[i]], "category name");
            if (i > 0 && this.categoryIds[i] == this.categoryIds[i - 1]) {
                throw new IllegalArgumentException("duplicate category id " + this.categoryIds[i]);
            }
        }
    }

    /** Categories numbered 0..n-1 in the given order (CSV class lists, VOC class names). */
    public static CategoryMap ofNames(List<String> names) {
        long[] ids = new long[names.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        return new CategoryMap(ids, names.toArray(new String[0]));
    }

    /** Number of classes K. */
    public int size() {
        return categoryIds.length;
    }

    /** The dataset's category id for a class index. */
    public long categoryId(int classIndex) {
        return categoryIds[classIndex];
    }

    /** The category name for a class index. */
    public String name(int classIndex) {
        return names[classIndex];
    }

    /** The class index of a category id, or -1 when the id is unknown. */
    public int indexOfCategoryId(long categoryId) {
        int i = Arrays.binarySearch(categoryIds, categoryId);
        return i >= 0 ? i : -1;
    }

    /** The class index of a name, or -1 when no category has it. */
    public int indexOfName(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Copy of the category ids, by class index. */
    public long[] categoryIds() {
        return categoryIds.clone();
    }

    /** Copy of the names, by class index. */
    public String[] names() {
        return names.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CategoryMap other && Arrays.equals(categoryIds, other.categoryIds)
                && Arrays.equals(names, other.names);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(categoryIds) + Arrays.hashCode(names);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CategoryMap[");
        for (int i = 0; i < names.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(i).append('=').append(categoryIds[i]).append(':').append(names[i]);
        }
        return sb.append(']').toString();
    }
}
