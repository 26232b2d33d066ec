package org.retinanet4j.data.coco;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.retinanet4j.data.DetectionDataset;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a {@link DetectionDataset} as a COCO instances file (streaming, Jackson): images with id, file_name,
 * width, height; annotations with id, image_id, category_id, the raw bbox x,y,w,h, area and iscrowd; categories
 * with id and name. Reading the file back with {@link CocoInstancesReader} gives the same dataset.
 */
public final class CocoInstancesWriter {

    private static final JsonFactory JSON = new JsonFactory();

    public void write(DetectionDataset dataset, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file);
             JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayFieldStart("images");
            for (int i = 0; i < dataset.numImages(); i++) {
                g.writeStartObject();
                g.writeNumberField("id", dataset.imageId(i));
                g.writeStringField("file_name", dataset.fileName(i));
                g.writeNumberField("width", dataset.width(i));
                g.writeNumberField("height", dataset.height(i));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("annotations");
            for (int i = 0; i < dataset.numImages(); i++) {
                for (int b = dataset.firstBox(i); b < dataset.firstBox(i) + dataset.numBoxes(i); b++) {
                    g.writeStartObject();
                    g.writeNumberField("id", dataset.annotationId(b));
                    g.writeNumberField("image_id", dataset.imageId(i));
                    g.writeNumberField("category_id", dataset.categoryId(b));
                    g.writeArrayFieldStart("bbox");
                    for (int j = 0; j < 4; j++) {
                        g.writeNumber(dataset.rawXywh(b, j));
                    }
                    g.writeEndArray();
                    g.writeNumberField("area", dataset.area(b));
                    g.writeNumberField("iscrowd", dataset.isCrowd(b) ? 1 : 0);
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeArrayFieldStart("categories");
            for (int k = 0; k < dataset.categories().size(); k++) {
                g.writeStartObject();
                g.writeNumberField("id", dataset.categories().categoryId(k));
                g.writeStringField("name", dataset.categories().name(k));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }
}
