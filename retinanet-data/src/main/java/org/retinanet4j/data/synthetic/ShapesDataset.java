package org.retinanet4j.data.synthetic;

import java.nio.file.Path;

/**
 * Where {@link ShapesDatasetGenerator} wrote a dataset: COCO instances files and image folders per split.
 * Read a split with {@code new CocoInstancesReader().read(trainAnnotations(), trainImages())}.
 */
public record ShapesDataset(Path root, Path trainAnnotations, Path trainImages, Path valAnnotations,
                            Path valImages) {
}
