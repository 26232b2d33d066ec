package org.retinanet4j.inference;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.retinanet4j.eval.CocoDetections;
import org.retinanet4j.persist.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes detections as a COCO results file: a JSON array of {@code {image_id, category_id, bbox: [x, y, w, h],
 * score}} (what pycocotools' {@code loadRes} and {@code ./retinanet evaluate --detections} read). Atomic.
 */
public final class CocoResultsWriter {

    private CocoResultsWriter() {
    }

    public static void write(CocoDetections detections, Path file) throws IOException {
        AtomicFiles.write(file, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp);
                 JsonGenerator g = new JsonFactory().createGenerator(out)) {
                g.writeStartArray();
                for (int i = 0; i < detections.size(); i++) {
                    g.writeStartObject();
                    g.writeNumberField("image_id", detections.imageId(i));
                    g.writeNumberField("category_id", detections.categoryId(i));
                    g.writeArrayFieldStart("bbox");
                    for (int j = 0; j < 4; j++) {
                        g.writeNumber((float) detections.box(i, j));
                    }
                    g.writeEndArray();
                    g.writeNumberField("score", (float) detections.score(i));
                    g.writeEndObject();
                    g.writeRaw('\n');
                }
                g.writeEndArray();
            }
        });
    }
}
