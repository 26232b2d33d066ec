package org.retinanet4j.inference;

import org.retinanet4j.decode.Detection;
import org.retinanet4j.persist.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Draws detections (box, class name, score) onto a copy of an image with Java2D and writes it as PNG. */
public final class DetectionPainter {
    private static final Color[] PALETTE = {new Color(230, 25, 75), new Color(60, 180, 75), new Color(0, 130, 200),
            new Color(245, 130, 48), new Color(145, 30, 180), new Color(70, 240, 240), new Color(240, 50, 230),
            new Color(210, 245, 60)};

    private DetectionPainter() {
    }

    public static BufferedImage draw(BufferedImage source, List<Detection> detections) {
        BufferedImage img = new BufferedImage(source.getWidth(), source.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.drawImage(source, 0, 0, null);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            int thickness = Math.max(2, Math.min(img.getWidth(), img.getHeight()) / 200);
            g.setStroke(new BasicStroke(thickness));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(11, Math.min(img.getWidth(), img.getHeight()) / 40)));
            FontMetrics fm = g.getFontMetrics();
            for (Detection d : detections) {
                Color c = PALETTE[Math.floorMod(d.classIndex(), PALETTE.length)];
                int x = Math.round(d.x1());
                int y = Math.round(d.y1());
                int w = Math.round(d.x2() - d.x1());
                int h = Math.round(d.y2() - d.y1());
                g.setColor(c);
                g.drawRect(x, y, w, h);
                String label = String.format(Locale.ROOT, "%s %.2f", d.className(), d.score());
                int tw = fm.stringWidth(label) + 4;
                int th = fm.getHeight();
                int ty = y - th >= 0 ? y - th : y;
                g.fillRect(x, ty, tw, th);
                g.setColor(Color.WHITE);
                g.drawString(label, x + 2, ty + fm.getAscent());
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    public static void writePng(BufferedImage source, List<Detection> detections, Path file) throws IOException {
        BufferedImage drawn = draw(source, detections);
        AtomicFiles.write(file, tmp -> {
            if (!ImageIO.write(drawn, "png", tmp.toFile())) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
