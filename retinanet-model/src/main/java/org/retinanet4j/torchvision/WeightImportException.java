package org.retinanet4j.torchvision;

/**
 * A torchvision state dict does not fit the graph: names the first tensor (or graph parameter) that does not,
 * and the file it came from.
 */
public final class WeightImportException extends IllegalArgumentException {

    private final String tensorName;

    public WeightImportException(String tensorName, String message) {
        super(message);
        this.tensorName = tensorName;
    }

    /** The torchvision tensor (or, for a parameter nothing filled, the graph parameter) that does not fit. */
    public String tensorName() {
        return tensorName;
    }
}
