package org.retinanet4j.persist;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.deeplearning4j.nn.graph.ComputationGraph;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Makes the committed format-1 model file and its golden detections under {@code src/test/resources/format1/}:
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
                .headWidth(8).headDepth(1).anchorConfig(anchors).inputShape(3, 128, 128).seed(5).build().init();
        sparsify(graph, 11);

        ModelMetadata md = new ModelMetadata(List.of("circle", "square", "triangle"), new int[]{1, 2, 3}, 128, 128,
                ModelMetadata.IMAGENET_MEAN, ModelMetadata.IMAGENET_STD,
                new AnchorSettings(new int[]{16, 32, 64, 128, 256}, new double[]{1.0, 1.5}, new double[]{0.5, 1.0, 2.0}),
                new DecoderSettings(0.8f, 200, 0.4f, 100),
                "RetinaNet resnet18-FPN, FPN/heads 8 wide, 1 head conv, input 128", Map.of("fixture", "format1"));
        Path model = out.resolve(MODEL);
        ModelBundle.save(model, new SavedModel(graph, md));

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
