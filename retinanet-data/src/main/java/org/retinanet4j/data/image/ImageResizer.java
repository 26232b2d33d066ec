package org.retinanet4j.data.image;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;

/**
 * Bilinear resize of an {@link RgbImage} into float RGB values 0..255 (HWC), done in float like torchvision
 * (which interpolates the float tensor, {@code align_corners=False}; OpenCV's INTER_LINEAR uses the same
 * half-pixel centres and, like torchvision 0.14 on tensors, no antialiasing).
 */
public final class ImageResizer {

    private ImageResizer() {
    }

    /** Resized pixels, {@code height x width x 3} floats; the same size returns the pixels converted to float. */
    public static float[] resize(RgbImage image, int width, int height) {
        float[] out = new float[width * height * 3];
        if (width == image.width() && height == image.height()) {
            byte[] src = image.rgb();
            for (int i = 0; i < out.length; i++) {
                out[i] = src[i] & 0xFF;
            }
            return out;
        }
        try (BytePointer bytes = new BytePointer(image.rgb());
             Mat src = new Mat(image.height(), image.width(), CV_8UC3, bytes);
             Mat f = new Mat();
             Mat dst = new Mat(height, width, CV_32FC3);
             Size size = new Size(width, height)) {
            src.convertTo(f, CV_32F);
            org.bytedeco.opencv.global.opencv_imgproc.resize(f, dst, size, 0, 0, INTER_LINEAR);
            new FloatPointer(dst.data()).get(out);
        }
        return out;
    }
}
