package org.retinanet4j.persist;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.decode.Detection;
import org.retinanet4j.inference.Detector;
import org.retinanet4j.zoo.RetinaNet;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Makes the committed format-1 model file and its golden detections under {@code src/test/resources/format1/}
 * (the committed ones were made, file and detections, by the code that wrote format 1 itself, at the commit that
 * added this class; a re-made file writes the same format-1 entry by hand, and its detections are then those of
 * the current reader):
 * a ResNet-18 RetinaNet (FPN and heads 8 wide, one head convolution, 3 classes, 6 anchors per location of
 * 16..256 px, non-default decoder settings), saved in metadata format {@code retinanet4j-model/1}, and the
 * detections it gives on a synthetic-shapes PNG. The backbone is sparse (all but a seeded 1/512 of its
 * convolution weights are zero, the kept ones scaled up to keep the activations' size) so that the file stays
 * small; the heads keep their initialisation except a wider classification predictor, which spreads the
 * scores so that the detections are well separated. Run only on request:
 * <pre>mvn -B -pl retinanet-data -am test -Dtest=Format1ModelFixture -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dretinanet.makeFormat1Fixture=true</pre>
 */
@EnabledIfSystemProperty(named = "retinanet.makeFormat1Fixture", matches = "true")
class Format1ModelFixture {
    static final String DIR = "format1";
    static final String MODEL = "model-format1.zip";
    static final String IMAGE = "shapes-200x150.png";
    static final String DETECTIONS = "detections.json";
    static final double KEPT_FRACTION = 1.0 / 512;

    @TempDir
    Path tmp;

    @Test
    void makeFixture() throws IOException {
        Path out = resources().resolve(DIR);
        Files.createDirectories(out);
        AnchorConfig anchors = new AnchorConfig(new int[]{16, 32, 64, 128, 256}, new double[]{1.0, 1.5},
                new double[]{0.5, 1.0, 2.0}, 3);
        ComputationGraph graph = RetinaNet.builder().numClasses(3).backbone(ResNetDepth.RESNET18).fpnWidth(8)
                .headWidth(8).headDepth(1).anchors(anchors).inputShape(3, 128, 128).seed(5).build().init();
        sparsify(graph, 11);
        Path model = out.resolve(MODEL);
        Files.deleteIfExists(model);
        ModelSerializer.writeModel(graph, model.toFile(), false);
        try (FileSystem zip = FileSystems.newFileSystem(model)) {
            Path entry = zip.getPath(ModelBundle.METADATA_ENTRY);
            Files.createDirectories(entry.getParent());
            Files.write(entry, format1Metadata());
        }

        ShapesDataset shapes = new ShapesDatasetGenerator(new ShapesConfig(1, 1, 200, 30, 90, 4, 0, 0, 3))
                .generate(tmp.resolve("shapes"));
        BufferedImage full = ImageIO.read(Files.list(shapes.trainImages()).findFirst().orElseThrow().toFile());
        BufferedImage cropped = new BufferedImage(200, 150, BufferedImage.TYPE_INT_RGB);
        cropped.getGraphics().drawImage(full.getSubimage(0, 25, 200, 150), 0, 0, null);
        Path image = out.resolve(IMAGE);
        ImageIO.write(cropped, "png", image.toFile());

        List<Detection> detections = Detector.load(model).detect(image);
        writeDetections(detections, out.resolve(DETECTIONS));
        System.out.println(detections.size() + " detections; model file " + Files.size(model) + " bytes");
    }

    /** The metadata entry exactly as format 1 wrote it (field order and names of ModelMetadataJson/1). */
    static byte[] format1Metadata() throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(bytes)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("format", "retinanet4j-model/1");
            g.writeFieldName("classNames");
            g.writeArray(new String[]{"circle", "square", "triangle"}, 0, 3);
            g.writeFieldName("categoryIds");
            g.writeArray(new int[]{1, 2, 3}, 0, 3);
            g.writeNumberField("inputHeight", 128);
            g.writeNumberField("inputWidth", 128);
            g.writeFieldName("mean");
            g.writeArray(new double[]{0.485f, 0.456f, 0.406f}, 0, 3);
            g.writeFieldName("std");
            g.writeArray(new double[]{0.229f, 0.224f, 0.225f}, 0, 3);
            g.writeObjectFieldStart("anchors");
            g.writeFieldName("sizes");
            g.writeArray(new int[]{16, 32, 64, 128, 256}, 0, 5);
            g.writeFieldName("scales");
            g.writeArray(new double[]{1.0, 1.5}, 0, 2);
            g.writeFieldName("aspectRatios");
            g.writeArray(new double[]{0.5, 1.0, 2.0}, 0, 3);
            g.writeEndObject();
            g.writeObjectFieldStart("decoder");
            g.writeNumberField("scoreThreshold", 0.8f);
            g.writeNumberField("topKPerLevel", 200);
            g.writeNumberField("nmsIouThreshold", 0.4f);
            g.writeNumberField("detectionsPerImage", 100);
            g.writeEndObject();
            g.writeStringField("architecture", "RetinaNet resnet18-FPN, FPN/heads 8 wide, 1 head conv, input 128");
            g.writeObjectFieldStart("properties");
            g.writeStringField("fixture", "format1");
            g.writeEndObject();
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }

    /** Zeroes all but a seeded fraction of the backbone's convolution weights; widens the class predictor. */
    static void sparsify(ComputationGraph graph, long seed) {
        Random r = new Random(seed);
        for (Map.Entry<String, INDArray> e : graph.paramTable().entrySet()) {
            String key = e.getKey();
            INDArray p = e.getValue();
            if (key.startsWith("cls_head_clsLogits")) {
                Nd4j.getRandom().setSeed(seed);
                p.assign(key.endsWith("W") ? Nd4j.randn(p.dataType(), p.shape()).muli(1.0) : Nd4j.zeros(p.shape()));
            } else if (isBackboneConvWeight(key)) {
                float[] v = p.dup().data().asFloat();
                float scale = (float) (1 / Math.sqrt(KEPT_FRACTION));
                for (int i = 0; i < v.length; i++) {
                    v[i] = r.nextDouble() < KEPT_FRACTION ? v[i] * scale : 0f;
                }
                p.assign(Nd4j.create(v, p.shape(), p.ordering()));
            }
        }
    }

    private static boolean isBackboneConvWeight(String key) {
        return (key.startsWith("conv1_") || key.startsWith("layer")) && key.endsWith("_W");
    }

    static void writeDetections(List<Detection> detections, Path file) throws IOException {
        try (OutputStream os = Files.newOutputStream(file);
             JsonGenerator g = new JsonFactory().createGenerator(os)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            for (Detection d : detections) {
                g.writeStartObject();
                g.writeNumberField("classIndex", d.classIndex());
                g.writeStringField("className", d.className());
                g.writeNumberField("score", d.score());
                g.writeNumberField("x1", d.x1());
                g.writeNumberField("y1", d.y1());
                g.writeNumberField("x2", d.x2());
                g.writeNumberField("y2", d.y2());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }

    static Path resources() {
        Path dir = Paths.get("").toAbsolutePath();
        Path inModule = dir.resolve("src/test/resources");
        return Files.isDirectory(inModule) ? inModule : dir.resolve("retinanet-data/src/test/resources");
    }
}
