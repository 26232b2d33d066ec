package org.retinanet4j.backbone;

/** The torchvision ResNet variants the backbone can build: block type and blocks per stage (layer1..layer4). */
public enum ResNetDepth {
    RESNET18(false, 2, 2, 2, 2),
    RESNET34(false, 3, 4, 6, 3),
    RESNET50(true, 3, 4, 6, 3),
    RESNET101(true, 3, 4, 23, 3);

    private final boolean bottleneck;
    private final int[] blocks;

    ResNetDepth(boolean bottleneck, int... blocks) {
        this.bottleneck = bottleneck;
        this.blocks = blocks;
    }

    /** True for Bottleneck (1x1, 3x3, 1x1; expansion 4), false for BasicBlock (3x3, 3x3; expansion 1). */
    public boolean bottleneck() {
        return bottleneck;
    }

    /** Blocks in stage {@code layer(i+1)}. */
    public int blocks(int stage) {
        return blocks[stage];
    }

    public int expansion() {
        return bottleneck ? 4 : 1;
    }

    /** Channels leaving stage {@code layer(i+1)}: 64 * 2^i * expansion. */
    public int stageChannels(int stage) {
        return (64 << stage) * expansion();
    }

    /** Parses a name such as {@code resnet50}, {@code RESNET50} or {@code 50}; the error lists the valid ones. */
    public static ResNetDepth parse(String name) {
        String n = name.trim().toUpperCase(java.util.Locale.ROOT);
        for (ResNetDepth d : values()) {
            if (d.name().equals(n) || d.name().equals("RESNET" + n)) {
                return d;
            }
        }
        throw new IllegalArgumentException("backbone: unknown ResNet '" + name + "'; expected one of "
                + java.util.Arrays.toString(values()));
    }
}
