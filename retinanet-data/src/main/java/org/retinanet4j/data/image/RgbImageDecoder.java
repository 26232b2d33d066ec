package org.retinanet4j.data.image;

import org.bytedeco.leptonica.Handler_String;
import org.bytedeco.leptonica.global.lept;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.datavec.image.loader.NativeImageLoader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 *
 * <p>Bad files: {@link ImageFileCheck} looks at the bytes first, so a file that is no image (or a corrupt PNG) is an
 * {@link IOException} naming it before any native decoder runs, and nothing reaches standard error. A JPEG cut
 * short still decodes (its missing rows gray) with a logged warning, once per file; a PNG cut short is read by
 * Java's own decoder if it can be, with the same warning, else refused. Leptonica's messages (DataVec tries it when
 * OpenCV cannot decode) go to this class's debug log instead of standard error.
 */
public final class RgbImageDecoder {

    private static final Logger log = LoggerFactory.getLogger(RgbImageDecoder.class);
    /** Files already warned about, so that a truncated image in a training set warns once, not every epoch. */
    private static final Set<Path> WARNED = ConcurrentHashMap.newKeySet();
    /** Leptonica's message handler, kept reachable: the native side only holds a pointer to it. */
    private static final Handler_String LEPTONICA_TO_LOG = new Handler_String() {
        @Override
        public void call(String message) {
            log.debug("leptonica: {}", message == null ? "" : message.strip());
        }
    };

    static {
        lept.leptSetStderrHandler(LEPTONICA_TO_LOG);
    }

    private final CapturingLoader loader = new CapturingLoader();

    /**
     * Decodes {@code file}; an {@link IOException} names the file when it is missing, is no image or cannot be
     * decoded. A truncated JPEG or PNG that still decodes is logged as a warning naming the file.
     */
    public RgbImage decode(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": image file not found");
        }
        byte[] bytes = Files.readAllBytes(file);
        ImageFileCheck.Result check = ImageFileCheck.check(file, bytes);
        if (check.problem() != null && !check.truncated()) {
            throw new IOException(file + ": cannot decode image: " + check.problem());
        }
        if (check.truncated() && check.format() == ImageFileCheck.Format.PNG) {
            return truncatedPng(file, bytes, check.problem());
        }
        if (check.truncated()) {
            warnTruncated(file, check.problem() + "; the missing part decodes as gray");
        }
        try {
            loader.result = null;
            loader.asMatrix(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot decode image: " + e.getMessage()
                    + (check.truncated() ? " (" + check.problem() + ")" : ""), e);
        }
        if (loader.result == null) {
            throw new IOException(file + ": cannot decode image");
        }
        return loader.result;
    }

    /**
     * Decodes an encoded image held in memory (the bytes of a JPEG, PNG, ... file, as a DataVec record may carry
     * them); {@code name} names the image in errors.
     */
    public RgbImage decode(byte[] encoded, String name) throws IOException {
        if (encoded.length == 0) {
            throw new IOException(name + ": no image bytes");
        }
        try {
            loader.result = null;
            loader.asMatrix(new ByteArrayInputStream(encoded));
        } catch (IOException | RuntimeException e) {
            throw new IOException(name + ": cannot decode image: " + e.getMessage(), e);
        }
        if (loader.result == null) {
            throw new IOException(name + ": cannot decode image");
        }
        return loader.result;
    }

    /** libpng (inside OpenCV) prints to standard error on a cut PNG: Java's pure-Java PNG reader tries instead. */
    private static RgbImage truncatedPng(Path file, byte[] bytes, String problem) throws IOException {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            image = null;
        }
        if (image == null) {
            throw new IOException(file + ": cannot decode image: truncated (" + problem + ")");
        }
        warnTruncated(file, problem);
        return InputPreparer.fromBufferedImage(image);
    }

    private static void warnTruncated(Path file, String problem) {
        if (WARNED.add(file.toAbsolutePath().normalize())) {
            log.warn("{}: truncated image file: {}", file, problem);
        }
    }

    /** Takes the decoded Mat before DataVec's channel conversion and turns it into RGB bytes. */
    private static final class CapturingLoader extends NativeImageLoader {
        private static final INDArray UNUSED = Nd4j.scalar(0f);
        private RgbImage result;

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
