package org.retinanet4j.inference;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.retinanet4j.anchors.AnchorConfig;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.data.image.ImageResizer;
import org.retinanet4j.data.image.RgbImage;
import org.retinanet4j.data.image.InputPreparer;
import org.retinanet4j.data.image.NetworkInput;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.decode.Detection;
import org.retinanet4j.decode.DetectionDecoder;
import org.retinanet4j.persist.AnchorSettings;
import org.retinanet4j.persist.DecoderSettings;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.preprocess.ImageNormalization;
import org.retinanet4j.preprocess.PaddingRule;
import org.retinanet4j.preprocess.ResizeInfo;
import org.retinanet4j.preprocess.ResizeRule;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a saved RetinaNet on images: decode and prepare them exactly as training does ({@link InputPreparer}:
 * same decoder, resize, normalisation and padding), with the resize rule set by the model's input size
 * (torchvision's rule: shorter side to min(H, W) of the input, longer side capped at max(H, W)), normalise with
 * {@link ImageNormalization}, pad to a multiple of 128, run the graph, decode and map boxes back to the original
 * image. Returns detections per image in original pixels. Not thread-safe (one decoder and graph per instance).
 */
public final class Detector {
    /** Inputs are padded to a multiple of the coarsest stride (P7). */
    public static final int PAD_MULTIPLE = 128;

    private final ComputationGraph graph;
    private final ModelMetadata metadata;
    private final DetectionDecoder decoder;
    private final ResizeRule resize;
    private final InputPreparer preparer;

    public Detector(SavedModel model) {
        this(model, decoderConfig(model.metadata().decoder()));
    }

    public Detector(SavedModel model, DecoderConfig decoding) {
        this.graph = model.graph();
        this.metadata = model.metadata();
        this.decoder = new DetectionDecoder(new AnchorGenerator(anchorConfig(metadata.anchors())), decoding,
                metadata.classNames());
        int h = metadata.inputHeight();
        int w = metadata.inputWidth();
        this.resize = new ResizeRule(Math.min(h, w), Math.max(h, w));
        this.preparer = new InputPreparer(resize, PaddingRule.toMultipleOf(PAD_MULTIPLE));
    }

    /** Loads a model file written by training ({@link ModelBundle}). */
    public static Detector load(Path modelFile) {
        return new Detector(ModelBundle.load(modelFile));
    }

    public static AnchorConfig anchorConfig(AnchorSettings a) {
        return new AnchorConfig(a.sizes(), a.scales(), a.aspectRatios(), 3);
    }

    public static DecoderConfig decoderConfig(DecoderSettings d) {
        return new DecoderConfig(d.scoreThreshold(), d.topKPerLevel(), d.nmsIouThreshold(), d.detectionsPerImage());
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    public ComputationGraph graph() {
        return graph;
    }

    public ResizeRule resizeRule() {
        return resize;
    }

    public DecoderConfig decoderConfig() {
        return decoder.config();
    }

    /** Detections in an image file (any format the data pipeline reads). */
    public List<Detection> detect(Path imageFile) throws IOException {
        return detect(preparer.prepare(imageFile));
    }

    public List<Detection> detect(BufferedImage image) {
        return detect(preparer.prepare(image));
    }

    private List<Detection> detect(NetworkInput input) {
        return detect(input.image(), List.of(input.info())).get(0);
    }

    /** One list of detections per image, run as one batch. */
    public List<List<Detection>> detectImages(List<RgbImage> images) {
        List<ResizeInfo> infos = new ArrayList<>(images.size());
        int maxH = 0;
        int maxW = 0;
        for (RgbImage img : images) {
            ResizeInfo r = resize.apply(img.height(), img.width(), PaddingRule.toMultipleOf(1));
            infos.add(r);
            maxH = Math.max(maxH, r.resizedHeight());
            maxW = Math.max(maxW, r.resizedWidth());
        }
        PaddingRule pad = PaddingRule.toMultipleOf(PAD_MULTIPLE);
        int ph = pad.paddedHeight(maxH);
        int pw = pad.paddedWidth(maxW);
        int slot = 3 * ph * pw;
        float[] buffer = new float[images.size() * slot];
        List<ResizeInfo> padded = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            RgbImage img = images.get(i);
            ResizeInfo r = infos.get(i);
            float[] pixels = ImageResizer.resize(img, r.resizedWidth(), r.resizedHeight());
            ImageNormalization.writeChw(pixels, r.resizedHeight(), r.resizedWidth(), false, buffer, i * slot, ph, pw);
            padded.add(ResizeInfo.of(img.height(), img.width(), r.resizedHeight(), r.resizedWidth(), ph, pw));
        }
        INDArray batch = Nd4j.create(buffer, new long[]{images.size(), 3, ph, pw}, DataType.FLOAT);
        return detect(batch, padded);
    }

    /**
     * Detections for an already normalised, padded batch {@code [N, 3, H, W]} with each image's geometry
     * (use {@link ResizeInfo#identity} for images that were not resized).
     */
    public List<List<Detection>> detect(INDArray normalisedBatch, List<ResizeInfo> geometry) {
        if (normalisedBatch.rank() != 4 || normalisedBatch.size(1) != 3) {
            throw new IllegalArgumentException("expected a [N, 3, H, W] batch, got "
                    + java.util.Arrays.toString(normalisedBatch.shape()));
        }
        if (normalisedBatch.size(0) != geometry.size()) {
            throw new IllegalArgumentException(normalisedBatch.size(0) + " images but " + geometry.size()
                    + " resize infos");
        }
        INDArray[] out = graph.output(false, normalisedBatch);
        return decoder.decode(out[0], out[1], geometry);
    }
}
