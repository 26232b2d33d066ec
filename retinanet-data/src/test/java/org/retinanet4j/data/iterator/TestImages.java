package org.retinanet4j.data.iterator;

import org.retinanet4j.data.CategoryMap;
import org.retinanet4j.data.DatasetFormatException;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.DetectionDatasetBuilder;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Small PNGs with solid rectangles at known integer positions, and a dataset describing them. */
final class TestImages {

    private TestImages() {
    }

    /** Writes a black {@code w x h} PNG with filled rectangles {x1,y1,x2,y2,rgb}. */
    static void write(Path file, int w, int h, int[][] rects) throws IOException {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = im.createGraphics();
        for (int[] r : rects) {
            g.setColor(new Color(r[4]));
            g.fillRect(r[0], r[1], r[2] - r[0], r[3] - r[1]);
        }
        g.dispose();
        ImageIO.write(im, "png", file.toFile());
    }

    /** A dataset of one image per entry: {file, w, h, rects} with class index 0 for every rectangle. */
    static DetectionDataset dataset(Path root, List<Object[]> images) throws DatasetFormatException {
        DetectionDatasetBuilder b = new DetectionDatasetBuilder("test", root);
        long ann = 1;
        for (int i = 0; i < images.size(); i++) {
            Object[] e = images.get(i);
            int pos = b.addImage(100 + i, (String) e[0], (Integer) e[1], (Integer) e[2]);
            for (int[] r : (int[][]) e[3]) {
                b.addBox(pos, r[0], r[1], r[2], r[3], r[0], r[1], r[2] - r[0], r[3] - r[1], r.length > 5 ? r[5] : 0,
                        (byte) 0, (r[2] - r[0]) * (r[3] - r[1]), ann++);
            }
        }
        return b.build(CategoryMap.ofNames(List.of("a", "b")));
    }
}
