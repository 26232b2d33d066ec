package org.retinanet4j.data.synthetic;

/**
 * Settings of {@link ShapesDatasetGenerator}. The defaults make 256x256 images with 0..4 shapes of 32..112 px
 * (inside RetinaNet's anchor range, 32..~800 px over P3..P7), about 10% of images empty, half the backgrounds
 * lightly textured: a small RetinaNet learns them in minutes on a CPU.
 *
 * @param trainImages         images in the train split
 * @param valImages           images in the val split
 * @param imageSize           width and height in pixels
 * @param minObjectSize       smallest shape side / diameter in pixels
 * @param maxObjectSize       largest shape side / diameter in pixels
 * @param maxObjectsPerImage  at most this many shapes per image (uniform 1..max in non-empty images)
 * @param emptyImageFraction  fraction of images with no shape
 * @param texturedFraction    fraction of images with a noisy gradient background instead of a plain colour
 * @param seed                everything (layout, colours, texture) follows from it
 */
public record ShapesConfig(int trainImages, int valImages, int imageSize, int minObjectSize, int maxObjectSize,
                           int maxObjectsPerImage, double emptyImageFraction, double texturedFraction, long seed) {

    public ShapesConfig {
        if (trainImages < 0 || valImages < 0 || trainImages + valImages == 0) {
            throw new IllegalArgumentException("need at least one image");
        }
        if (minObjectSize < 4 || maxObjectSize < minObjectSize || maxObjectSize > imageSize) {
            throw new IllegalArgumentException("need 4 <= minObjectSize <= maxObjectSize <= imageSize");
        }
        if (maxObjectsPerImage < 1 || emptyImageFraction < 0 || emptyImageFraction > 1 || texturedFraction < 0
                || texturedFraction > 1) {
            throw new IllegalArgumentException("bad object count or fractions");
        }
    }

    /** The demo defaults with the given split sizes and seed. */
    public static ShapesConfig defaults(int trainImages, int valImages, long seed) {
        return new ShapesConfig(trainImages, valImages, 256, 32, 112, 4, 0.1, 0.5, seed);
    }

    public ShapesConfig withImageSize(int size, int minObject, int maxObject) {
        return new ShapesConfig(trainImages, valImages, size, minObject, maxObject, maxObjectsPerImage,
                emptyImageFraction, texturedFraction, seed);
    }
}
