package org.retinanet4j.persist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.decode.Detection;
import org.retinanet4j.fpn.P6Source;
import org.retinanet4j.inference.Detector;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.spec.RetinaNetSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model file of metadata format 1 (committed under {@code src/test/resources/format1/}, made by
 * {@link Format1ModelFixture} with the code that wrote format 1) still loads: its spec is recovered from the
 * metadata and the graph configuration, and it gives the detections recorded when it was written.
 */
class Format1ModelFileTest {
    private static final Path DIR = Format1ModelFixture.resources().resolve(Format1ModelFixture.DIR);

    @TempDir
    Path tmp;

    @Test
    void theSpecIsRecoveredFromTheMetadataAndTheGraph() {
        ModelMetadata md = ModelBundle.readMetadata(DIR.resolve(Format1ModelFixture.MODEL));
        RetinaNetSpec expected = RetinaNetSpec.builder().numClasses(3).backbone(ResNetDepth.RESNET18)
                .batchNormMode(BatchNormMode.TRAINABLE).trainableBackboneLayers(5).fpnWidth(8).p6Source(P6Source.P5)
                .headWidth(8).headDepth(1).priorProbability(0.01).focalAlpha(0.25).focalGamma(2.0)
                .boxLossType(BoxRegressionLoss.Type.L1)
                .anchors(new AnchorConfig(new int[]{16, 32, 64, 128, 256}, new double[]{1.0, 1.5},
                        new double[]{0.5, 1.0, 2.0}, 3))
                .inputSize(128, 128).normalization(ImageNormalization.IMAGENET)
                .decoder(new DecoderConfig(0.8, 200, 0.4, 100)).build();
        assertEquals(expected.toBuilder().priorProbability(md.spec().priorProbability()).build(), md.spec());
        assertEquals(0.01, md.spec().priorProbability(), 1e-12, "from the head's bias initialisation");
        assertEquals(List.of("circle", "square", "triangle"), md.classNames());
        assertEquals(List.of(1, 2, 3), java.util.Arrays.stream(md.categoryIds()).boxed().toList());
        assertEquals("format1", md.properties().get("fixture"));
        assertTrue(md.properties().get(Format1Metadata.ARCHITECTURE_PROPERTY).startsWith("RetinaNet resnet18-FPN"));
    }

    @Test
    void detectionsAreThoseRecordedWhenTheFileWasWritten() throws IOException {
        Path image = DIR.resolve(Format1ModelFixture.IMAGE);
        List<Detection> golden = golden();
        assertTrue(golden.size() >= 5, "the fixture has detections to compare: " + golden.size());
        assertSame(golden, Detector.load(DIR.resolve(Format1ModelFixture.MODEL)).detect(image));

        // written again it is a format-2 file with the same spec and the same detections
        Path again = tmp.resolve("format2.zip");
        ModelBundle.save(again, ModelBundle.load(DIR.resolve(Format1ModelFixture.MODEL)));
        String json = new String(ModelBundle.readEntry(again, ModelBundle.METADATA_ENTRY).orElseThrow(),
                StandardCharsets.UTF_8);
        assertTrue(json.contains(ModelMetadataJson.FORMAT), json);
        assertEquals(ModelBundle.readMetadata(DIR.resolve(Format1ModelFixture.MODEL)), ModelBundle.readMetadata(again));
        assertSame(golden, Detector.load(again).detect(image));
    }

    private static void assertSame(List<Detection> expected, List<Detection> actual) {
        assertEquals(expected.size(), actual.size(), "number of detections");
        for (int i = 0; i < expected.size(); i++) {
            Detection e = expected.get(i);
            Detection a = actual.get(i);
            String what = "detection " + i + ": " + a + " vs " + e;
            assertEquals(e.classIndex(), a.classIndex(), what);
            assertEquals(e.className(), a.className(), what);
            assertEquals(e.score(), a.score(), 1e-5, what);
            assertEquals(e.x1(), a.x1(), 1e-5 * Math.max(1, Math.abs(e.x1())), what);
            assertEquals(e.y1(), a.y1(), 1e-5 * Math.max(1, Math.abs(e.y1())), what);
            assertEquals(e.x2(), a.x2(), 1e-5 * Math.max(1, Math.abs(e.x2())), what);
            assertEquals(e.y2(), a.y2(), 1e-5 * Math.max(1, Math.abs(e.y2())), what);
        }
    }

    private static List<Detection> golden() throws IOException {
        JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(DIR.resolve(Format1ModelFixture.DETECTIONS)));
        List<Detection> out = new java.util.ArrayList<>();
        for (JsonNode d : root) {
            out.add(new Detection((float) d.get("x1").asDouble(), (float) d.get("y1").asDouble(),
                    (float) d.get("x2").asDouble(), (float) d.get("y2").asDouble(), d.get("classIndex").asInt(),
                    d.get("className").asText(), (float) d.get("score").asDouble()));
        }
        return out;
    }
}
