package org.retinanet4j.zoo;

import org.junit.jupiter.api.Test;
import org.retinanet4j.anchors.AnchorConfig;
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
        assertFails("inputShape height", () -> RetinaNet.builder().numClasses(3).inputShape(3, 300, 256).build());
        assertFails("inputShape width", () -> RetinaNet.builder().numClasses(3).inputShape(3, 256, 200).build());
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
        assertFails("anchorConfig", () -> RetinaNet.builder().numClasses(3).anchorConfig(fourLevels).build());
        AnchorConfig fromP2 = new AnchorConfig(new int[]{16, 32, 64, 128, 256}, new double[]{1.0},
                new double[]{1.0}, 2);
        assertFails("anchorConfig.firstLevel", () -> RetinaNet.builder().numClasses(3).anchorConfig(fromP2).build());
        assertFails("anchorsPerLocation", () -> RetinaNet.builder().numClasses(3).anchorsPerLocation(4).build());
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
        RetinaNetConfig c = RetinaNet.builder().numClasses(91).build().config();
        assertEquals("RESNET50", c.backbone().name());
        assertEquals(9, c.anchorsPerLocation());
        assertEquals(256, c.fpnWidth());
        assertEquals(4, c.headDepth());
        assertEquals(FocalLoss.DEFAULT_ALPHA, c.focalAlpha());
        assertEquals(BoxRegressionLoss.Type.L1, c.boxLossType());
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
