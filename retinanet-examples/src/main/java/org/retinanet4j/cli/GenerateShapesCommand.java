package org.retinanet4j.cli;

import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code retinanet generate-shapes}: writes the synthetic shapes dataset (COCO format) used by the demo. */
@Command(name = "generate-shapes",
        mixinStandardHelpOptions = true,
        description = {"Write a seeded synthetic COCO-format dataset of squares, circles and triangles (PNG images,"
                + " annotations/instances_{train,val}.json)."})
public class GenerateShapesCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--train", defaultValue = "500", description = "train images (default ${DEFAULT-VALUE})")
    int train;

    @Option(names = "--val", defaultValue = "100", description = "val images (default ${DEFAULT-VALUE})")
    int val;

    @Option(names = "--size", defaultValue = "256", description = "image width and height (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--min-object", defaultValue = "32", description = "smallest shape in pixels (default ${DEFAULT-VALUE})")
    int minObject;

    @Option(names = "--max-object", defaultValue = "112", description = "largest shape in pixels (default ${DEFAULT-VALUE})")
    int maxObject;

    @Option(names = "--max-objects", defaultValue = "4", description = "shapes per image at most (default ${DEFAULT-VALUE})")
    int maxObjects;

    @Option(names = "--seed", defaultValue = "42", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        ShapesConfig config = new ShapesConfig(train, val, size, minObject, maxObject, maxObjects, 0.1, 0.5, seed);
        ShapesDataset d = new ShapesDatasetGenerator(config).generate(out);
        spec.commandLine().getOut().printf("train: %s (images in %s)%nval:   %s (images in %s)%n",
                d.trainAnnotations(), d.trainImages(), d.valAnnotations(), d.valImages());
        return 0;
    }
}
