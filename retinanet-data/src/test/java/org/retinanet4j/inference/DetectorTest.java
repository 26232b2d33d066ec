package org.retinanet4j.inference;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.retinanet4j.backbone.ResNetDepth;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.decode.Detection;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.zoo.RetinaNet;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The detector runs a saved model on a file and on a BufferedImage and reports boxes in original pixels. */
class DetectorTest {
    @TempDir
    Path dir;

    @Test
    void detectsInOriginalPixelsFromFilesAndImagesAlike() throws Exception {
        RetinaNet zoo = RetinaNet.builder().numClasses(2).backbone(ResNetDepth.RESNET18).fpnWidth(8)
                .headWidth(8).headDepth(1).inputShape(3, 128, 128).seed(1).build();
        ComputationGraph graph = zoo.init();
        ModelMetadata md = ModelMetadata.of(zoo.spec(), List.of("cat", "dog"), new int[]{17, 18});
        Path modelFile = dir.resolve("model.zip");
        ModelBundle.save(modelFile, new SavedModel(graph, md));
        // the untrained net scores every anchor at the prior 0.01: threshold 0 keeps them, so boxes exist
        Detector detector = new Detector(ModelBundle.load(modelFile), new DecoderConfig(0.0, 1000, 0.5, 50));

        BufferedImage image = new BufferedImage(300, 150, BufferedImage.TYPE_INT_RGB);   // resized to 128x256
        Path png = dir.resolve("img.png");
        ImageIO.write(image, "png", png.toFile());
        List<Detection> fromImage = detector.detect(image);
        List<Detection> fromFile = detector.detect(png);

        assertEquals(50, fromImage.size());
        assertEquals(fromImage, fromFile, "file and BufferedImage go through the same preprocessing");
        boolean beyondNetworkInput = false;
        for (Detection d : fromImage) {
            assertTrue(d.x1() >= 0 && d.y1() >= 0 && d.x2() <= 300 && d.y2() <= 150, d.toString());
            assertTrue(d.className().equals("cat") || d.className().equals("dog"));
            beyondNetworkInput |= d.x2() > 256;
        }
        assertTrue(beyondNetworkInput, "boxes are scaled back to the 300-px-wide original");
        BufferedImage drawn = DetectionPainter.draw(image, fromImage.subList(0, 1));
        assertFalse(drawn.getRGB(Math.round(fromImage.get(0).x1()), Math.round(fromImage.get(0).y1())) == image
                .getRGB(0, 0), "the box outline is drawn");
    }
}
