package org.retinanet4j.data.image;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.datavec.image.loader.NativeImageLoader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.split;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * Decodes an image file into 3-channel 8-bit RGB with DataVec's {@link NativeImageLoader} (OpenCV's
 * {@code imdecode}, Leptonica as its fallback for formats OpenCV cannot read).
 *
 * <p>The loader's own channel conversion is bypassed: we take the decoded OpenCV {@code Mat} and convert it here,
 * because DataVec turns 4-channel images into 3 channels with an RGBA (not BGRA) code, which swaps red and blue
 * for PNGs with alpha, and keeps 16-bit depth. Rules: grayscale is replicated into R, G and B; gray+alpha and
 * RGBA lose their alpha channel (no compositing, like PIL's {@code convert("RGB")}); CMYK JPEGs are converted to
 * RGB by OpenCV's JPEG decoder; 16-bit images are scaled to 8 bits. EXIF orientation: OpenCV's {@code imdecode}
 * applies it (see docs/data.md); an image whose decoded size disagrees with its annotation is then reported by
 * the loader that checks sizes. One decoder per thread (not thread-safe).
 */
public final class RgbImageDecoder {

    private final CapturingLoader loader = new CapturingLoader();

    /** Decodes {@code file}; an {@link IOException} names the file when it is missing or cannot be decoded. */
    public RgbImage decode(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": image file not found");
        }
        try {
            loader.begin();
            loader.asMatrix(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot decode image: " + e.getMessage(), e);
        }
        return loader.end(file.toString());
    }

    /**
     * Decodes an encoded image held in memory (the bytes of a JPEG, PNG, ... file); {@code name} names the image
     * in errors.
     */
    public RgbImage decode(byte[] encoded, String name) throws IOException {
        if (encoded.length == 0) {
            throw new IOException(name + ": no image bytes");
        }
        try {
            loader.begin();
            loader.asMatrix(new ByteArrayInputStream(encoded));
        } catch (IOException | RuntimeException e) {
            throw new IOException(name + ": cannot decode image: " + e.getMessage(), e);
        }
        return loader.end(name);
    }

    /** Takes the decoded Mat before DataVec's channel conversion and turns it into RGB bytes. */
    private static final class CapturingLoader extends NativeImageLoader {
        private static final INDArray UNUSED = Nd4j.scalar(0f);
        private RgbImage result;

        void begin() {
            result = null;
        }

        RgbImage end(String name) throws IOException {
            if (result == null) {
                throw new IOException(name + ": cannot decode image");
            }
            return result;
        }

        @Override
        protected INDArray transformImage(Mat image, INDArray ret) throws IOException {
            result = toRgb(image);
            return UNUSED;
        }
    }

    static RgbImage toRgb(Mat decoded) throws IOException {
        Mat m = decoded;
        Mat tmp = null;
        Mat rgb = new Mat();
        try {
            if (m.depth() != CV_8U) {
                if (m.depth() != CV_16U) {
                    throw new IOException("unsupported pixel depth (OpenCV depth code " + m.depth() + ")");
                }
                tmp = new Mat();
                m.convertTo(tmp, CV_8U, 1.0 / 257.0, 0.0);
                m = tmp;
            }
            switch (m.channels()) {
                case 1 -> cvtColor(m, rgb, COLOR_GRAY2RGB);
                case 2 -> {
                    MatVector planes = new MatVector();
                    split(m, planes);
                    cvtColor(planes.get(0), rgb, COLOR_GRAY2RGB);
                }
                case 3 -> cvtColor(m, rgb, COLOR_BGR2RGB);
                case 4 -> cvtColor(m, rgb, COLOR_BGRA2RGB);
                default -> throw new IOException("unsupported channel count " + m.channels());
            }
            if (rgb.type() != CV_8UC3) {
                throw new IOException("unexpected decoded type " + rgb.type());
            }
            int w = rgb.cols();
            int h = rgb.rows();
            byte[] bytes = new byte[w * h * 3];
            Mat cont = rgb.isContinuous() ? rgb : rgb.clone();
            cont.data().get(bytes);
            return new RgbImage(w, h, bytes);
        } finally {
            if (tmp != null) {
                tmp.release();
            }
            rgb.release();
        }
    }
}
