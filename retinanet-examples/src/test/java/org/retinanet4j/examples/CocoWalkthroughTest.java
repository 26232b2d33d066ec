package org.retinanet4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.decode.Detection;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.torchvision.CocoLabels;

/**
 * Walkthrough steps 1 and 2 on torchvision's COCO detector layout (91 classes, FPN and heads 256 wide,
 * FrozenBatchNorm eps 0 like the COCO weights; random seeded weights and, to keep the test short, a ResNet-18 body:
 * ResNet-50 parity is TorchvisionResNet50ParityTest's job) exported by tools/make_import_fixtures.py, imported by
 * {@link TorchvisionWalkthrough#importCocoWeights} and run by {@link TorchvisionWalkthrough#detect} on a 300x200
 * image. Skips with a message when /usr/bin/python3 has no torch.
 */
class CocoWalkthroughTest {

    private static final String PYTHON = System.getProperty("retinanet.python", "/usr/bin/python3");

    @TempDir
    Path dir;

    private static int run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Test
    void importThenDetectGivesCocoNamedBoxesInsideTheImage() throws Exception {
        int probe;
        try {
            probe = run(List.of(PYTHON, "-c", "import torch, torchvision"));
        } catch (java.io.IOException noInterpreter) {
            probe = 127;
        }
        assertTrue(probe != -1, PYTHON + " -c 'import torch, torchvision' did not finish in time");
        Assumptions.assumeTrue(probe == 0,
                "COCO walkthrough test skipped: " + PYTHON + " cannot import torch and torchvision "
                        + "(Debian: apt-get install python3-torch python3-torchvision; .ci/run does this)");
        Path root = Paths.get("").toAbsolutePath();
        while (!Files.isRegularFile(root.resolve("tools/make_import_fixtures.py"))) {
            root = root.getParent();
        }
        Path fixtures = dir.resolve("coco-layout");
        assertEquals(0, run(List.of(PYTHON, root.resolve("tools/make_import_fixtures.py").toString(), "retinanet",
                "--depth", "resnet18", "--num-classes", "91", "--frozen-bn-eps", "0", "--sizes", "128x128",
                "--out", fixtures.toString())), "fixture script failed");

        Path model = dir.resolve("coco.zip");
        TorchvisionWalkthrough.importCocoWeights(fixtures.resolve("weights.npz"), model);
        ModelMetadata meta = ModelBundle.readMetadata(model);
        assertEquals(CocoLabels.names(), meta.classNames());
        assertEquals("0.0", meta.properties().get("import.bnEps"), "FrozenBatchNorm eps 0 travels with the model");

        BufferedImage image = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(40, 120, 200));
        g.fillRect(0, 0, 300, 200);
        g.setColor(Color.ORANGE);
        g.fillOval(60, 40, 120, 110);
        g.dispose();
        Path png = dir.resolve("image.png");
        ImageIO.write(image, "png", png.toFile());

        List<Detection> detections = TorchvisionWalkthrough.detect(model, png);
        // the fixture's head is set so that its images give detections above torchvision's 0.05 threshold; this
        // image gives the 300 that torchvision keeps at most
        assertFalse(detections.isEmpty(), "the imported model detects something in the image");
        assertTrue(detections.size() <= 300, detections.size() + " detections, torchvision keeps at most 300");
        for (int i = 1; i < detections.size(); i++) {
            assertTrue(detections.get(i).score() <= detections.get(i - 1).score(), "sorted by score");
        }
        for (Detection d : detections) {
            assertEquals(CocoLabels.name(d.classIndex()), d.className());
            assertTrue(d.x1() >= 0 && d.y1() >= 0 && d.x2() <= 300 + 1e-3 && d.y2() <= 200 + 1e-3, d.toString());
            assertTrue(d.score() > 0.05f, d.toString());
        }
    }
}
