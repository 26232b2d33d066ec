package org.retinanet4j.persist;

import org.junit.jupiter.api.Test;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.fpn.P6Source;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.spec.RetinaNetSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metadata format 2: the whole spec round-trips through JSON, and a wrong file is refused naming the field. */
class ModelMetadataJsonTest {

    /** A valid spec in which every component differs from the builder's default. */
    static RetinaNetSpec everySettingChanged() {
        return RetinaNetSpec.builder().numClasses(2).backbone(ResNetDepth.RESNET34)
                .batchNormMode(BatchNormMode.FROZEN).trainableBackboneLayers(2).fpnWidth(64).p6Source(P6Source.C5)
                .headWidth(48).headDepth(2).priorProbability(0.02).focalAlpha(0.5).focalGamma(1.5)
                .boxLossType(BoxRegressionLoss.Type.SMOOTH_L1)
                .anchors(new AnchorConfig(new int[]{16, 32, 64, 128, 256}, new double[]{1, 1.5}, new double[]{1}, 3))
                .inputSize(256, 384)
                .normalization(new ImageNormalization(new float[]{0.1f, 0.2f, 0.3f}, new float[]{0.4f, 0.5f, 0.6f}))
                .decoder(new DecoderConfig(0.3, 50, 0.6, 20))
                .build();
    }

    @Test
    void everySpecSettingRoundTrips() throws IOException {
        RetinaNetSpec spec = everySettingChanged();
        RetinaNetSpec defaults = RetinaNetSpec.builder().numClasses(2).build();
        for (var c : RetinaNetSpec.class.getRecordComponents()) {
            if (!c.getName().equals("numClasses")) {
                assertNotEquals(value(c, defaults), value(c, spec), "the test spec changes " + c.getName());
            }
        }
        ModelMetadata md = new ModelMetadata(spec, List.of("a", "b"), new int[]{3, 9}, Map.of("k", "v"));
        byte[] json = ModelMetadataJson.toBytes(md);
        String text = new String(json, StandardCharsets.UTF_8);
        assertTrue(text.contains("\"format\" : \"retinanet4j-model/2\""), text);
        assertTrue(text.contains("\"headDepth\" : 2") && text.contains("\"baseSizes\""), text);
        assertEquals(md, read(text));
    }

    @Test
    void unknownMissingAndInvalidFieldsAreNamed() {
        String good = new String(ModelMetadataJson.toBytes(ModelMetadata.of(everySettingChanged(),
                List.of("a", "b"), new int[]{1, 2})), StandardCharsets.UTF_8);
        IOException misspelt = assertThrows(IOException.class,
                () -> read(good.replace("\"headDepth\"", "\"headDepht\"")));
        assertTrue(misspelt.getMessage().contains("spec.headDepth"), misspelt.getMessage());
        IOException unknown = assertThrows(IOException.class,
                () -> read(good.replace("\"headDepth\" : 2", "\"headDepth\" : 2, \"colour\" : 1")));
        assertTrue(unknown.getMessage().contains("colour"), unknown.getMessage());
        IOException invalid = assertThrows(IOException.class,
                () -> read(good.replace("\"headWidth\" : 48", "\"headWidth\" : -1")));
        assertTrue(invalid.getMessage().contains("headWidth must be > 0"), invalid.getMessage());
        IOException classes = assertThrows(IOException.class,
                () -> read(good.replace("\"numClasses\" : 2", "\"numClasses\" : 3")));
        assertTrue(classes.getMessage().contains("2 class names for a model of 3 classes"), classes.getMessage());
        IOException format = assertThrows(IOException.class,
                () -> read(good.replace("retinanet4j-model/2", "retinanet4j-model/9")));
        assertTrue(format.getMessage().contains("unsupported metadata format 'retinanet4j-model/9'"),
                format.getMessage());
        assertTrue(format.getMessage().startsWith("model.zip!meta"), format.getMessage());
    }

    private static ModelMetadata read(String json) throws IOException {
        return ModelMetadataJson.read(json.getBytes(StandardCharsets.UTF_8), () -> {
            throw new AssertionError("a format-2 file needs no graph configuration");
        }, "model.zip!meta");
    }

    private static Object value(java.lang.reflect.RecordComponent c, RetinaNetSpec s) {
        try {
            return c.getAccessor().invoke(s);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
