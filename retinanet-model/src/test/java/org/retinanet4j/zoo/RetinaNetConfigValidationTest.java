package org.retinanet4j.zoo;

import org.junit.jupiter.api.Test;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.preprocess.ResizeRule;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.loss.BoxRegressionLoss;
import org.retinanet4j.loss.FocalLoss;

import java.io.File;
import java.io.FileNotFoundException;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wrong settings fail at build() with a message that names the setting; defaults are torchvision's. */
class RetinaNetConfigValidationTest {

    @Test
    void inputSizeMustBeAMultipleOf128() {
        assertFails("inputHeight must be a positive multiple of 128",
                () -> RetinaNet.builder().numClasses(3).inputShape(3, 300, 256).build());
        assertFails("inputWidth must be a positive multiple of 128",
                () -> RetinaNet.builder().numClasses(3).inputShape(3, 256, 200).build());
        assertFails("inputShape channels", () -> RetinaNet.builder().numClasses(3).inputShape(1, 256, 256).build());
    }

    @Test
    void classesMustBePositive() {
        assertFails("numClasses", () -> RetinaNet.builder().numClasses(0).build());
        assertFails("numClasses", () -> RetinaNet.builder().build());
    }

    @Test
    void unknownBackboneIsNamed() {
        assertFails("backbone", () -> RetinaNet.builder().numClasses(3).backbone("resnet42").build());
    }

    @Test
    void anchorLevelsMustMatchTheFivePyramidLevels() {
        AnchorConfig fourLevels = new AnchorConfig(new int[]{32, 64, 128, 256}, new double[]{1.0},
                new double[]{1.0}, 3);
        assertFails("anchors must have one base size per level",
                () -> RetinaNet.builder().numClasses(3).anchors(fourLevels).build());
        AnchorConfig fromP2 = new AnchorConfig(new int[]{16, 32, 64, 128, 256}, new double[]{1.0},
                new double[]{1.0}, 2);
        assertFails("anchors.firstLevel", () -> RetinaNet.builder().numClasses(3).anchors(fromP2).build());
    }

    @Test
    void otherSettingsAreChecked() {
        assertFails("priorProbability", () -> RetinaNet.builder().numClasses(3).priorProbability(1.5).build());
        assertFails("headDepth", () -> RetinaNet.builder().numClasses(3).headDepth(-1).build());
        assertFails("trainableBackboneLayers",
                () -> RetinaNet.builder().numClasses(3).trainableBackboneLayers(6).build());
    }

    @Test
    void defaultsAreTorchvisions() {
        RetinaNetSpec c = RetinaNet.builder().numClasses(91).build().spec();
        assertEquals("RESNET50", c.backbone().name());
        assertEquals(9, c.anchorsPerLocation());
        assertEquals(256, c.fpnWidth());
        assertEquals(4, c.headDepth());
        assertEquals(FocalLoss.DEFAULT_ALPHA, c.focalAlpha());
        assertEquals(BoxRegressionLoss.Type.L1, c.boxLossType());
        assertEquals(ImageNormalization.IMAGENET, c.normalization());
        assertEquals(DecoderConfig.torchvisionDefault(), c.decoder());
        assertEquals(128, c.paddingMultiple());
        assertEquals(new ResizeRule(512, 512), c.resizeRule());
    }

    @Test
    void missingPretrainedFileSaysHowToMakeIt() {
        RetinaNet model = RetinaNet.builder().numClasses(91).build();
        FileNotFoundException e = assertThrows(FileNotFoundException.class,
                () -> model.initPretrained(new File("/nonexistent/retinanet.zip")));
        assertTrue(e.getMessage().contains("/nonexistent/retinanet.zip"), e.getMessage());
        assertTrue(e.getMessage().contains("import-torchvision"), e.getMessage());
    }

    private static void assertFails(String setting, Supplier<RetinaNet> build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().contains(setting), "message should name '" + setting + "': " + e.getMessage());
    }
}
