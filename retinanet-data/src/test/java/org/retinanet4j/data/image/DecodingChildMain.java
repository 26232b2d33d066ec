package org.retinanet4j.data.image;

import org.datavec.image.loader.NativeImageLoader;

import java.io.File;
import java.nio.file.Path;

/**
 * Child JVM of {@link BadImageFilesTest}: decodes the files given with DataVec's loader directly ("datavec", the
 * control) or with {@link RgbImageDecoder} ("decoder"); failures are expected and ignored, standard error is what
 * the test reads.
 */
public final class DecodingChildMain {

    private DecodingChildMain() {
    }

    public static void main(String[] args) {
        boolean control = args[0].equals("datavec");
        for (int i = 1; i < args.length; i++) {
            try {
                if (control) {
                    new NativeImageLoader().asMatrix(new File(args[i]));
                } else {
                    new RgbImageDecoder().decode(Path.of(args[i]));
                }
            } catch (Exception expected) {
                // the test looks at standard error only
            }
        }
    }
}
