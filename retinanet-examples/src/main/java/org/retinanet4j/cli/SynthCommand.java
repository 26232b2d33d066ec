package org.retinanet4j.cli;

import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code retinanet synth}: writes the synthetic shapes dataset (COCO format, train and val splits). */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Writes the synthetic shapes dataset (squares, circles, triangles; COCO instances JSON + PNG "
                + "images, train and val splits) that the demo trains on.")
public final class SynthCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--images", defaultValue = "1000", description = "training images (default: ${DEFAULT-VALUE}); "
            + "the val split gets a tenth")
    int images;

    @Option(names = "--size", defaultValue = "256", description = "image size in pixels (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--seed", defaultValue = "7", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CliChecks.outputFolder(out, "--out");
        if (images < 1) {
            throw new IllegalArgumentException("--images must be at least 1, got " + images);
        }
        if (size < 32) {
            throw new IllegalArgumentException("--size must be at least 32 pixels, got " + size);
        }
        ShapesConfig config = ShapesConfig.defaults(images, Math.max(1, images / 10), seed)
                .withImageSize(size, Math.max(8, size / 8), Math.max(8, size * 7 / 16));
        ShapesDataset d = new ShapesDatasetGenerator(config).generate(out);
        spec.commandLine().getOut().printf("train: %s (images in %s)%nval:   %s (images in %s)%n",
                d.trainAnnotations(), d.trainImages(), d.valAnnotations(), d.valImages());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
