package org.retinanet4j.zoo;

import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.common.resources.ResourceType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.zip.Adler32;
import java.util.zip.CheckedInputStream;

/**
 * Loads RetinaNet weights from a local file: no hosted weights exist, so they are produced with
 * {@code ./retinanet import-torchvision} (which converts torchvision's COCO state_dict and prints the Adler32
 * checksum) and placed either at a path the user gives or in DL4J's resources directory
 * ({@code ~/.deeplearning4j/models/retinanet/}, base set by {@code -Dorg.deeplearning4j.resources.directory}).
 */
public final class PretrainedWeights {
    private PretrainedWeights() {
    }

    /** Where {@code initPretrained()} looks for a file of this name. */
    public static File resourcesFile(String modelName, String fileName) {
        return new File(DL4JResources.getDirectory(ResourceType.ZOO_MODEL, modelName), fileName);
    }

    /** Adler32 of a file's bytes, as DL4J's zoo checks downloads. */
    public static long adler32(File file) throws IOException {
        try (InputStream in = new CheckedInputStream(Files.newInputStream(file.toPath()), new Adler32())) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // reading updates the checksum
            }
            return ((CheckedInputStream) in).getChecksum().getValue();
        }
    }

    /**
     * Restores a ComputationGraph saved with {@code ModelSerializer}, after checking its Adler32 checksum
     * ({@code expectedChecksum <= 0} skips the check).
     */
    public static ComputationGraph load(File file, long expectedChecksum) throws IOException {
        if (!file.isFile()) {
            throw new FileNotFoundException("RetinaNet weights not found: " + file.getAbsolutePath()
                    + ". No hosted weights exist; produce them from torchvision's COCO weights with "
                    + "'./retinanet import-torchvision --output " + file.getAbsolutePath() + "' and pass that "
                    + "path (or copy the file there).");
        }
        if (expectedChecksum > 0) {
            long actual = adler32(file);
            if (actual != expectedChecksum) {
                throw new IOException("RetinaNet weights " + file.getAbsolutePath() + ": Adler32 checksum "
                        + actual + " does not match the expected " + expectedChecksum
                        + " (corrupt or different file; re-create it with './retinanet import-torchvision')");
            }
        }
        return ModelSerializer.restoreComputationGraph(file, true);
    }
}
