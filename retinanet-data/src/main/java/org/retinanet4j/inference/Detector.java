package org.retinanet4j.inference;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.data.image.InputBatch;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.data.image.InputPreparer;
import org.retinanet4j.data.image.ResizedImage;
import org.retinanet4j.data.image.RgbImage;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.decode.Detection;
import org.retinanet4j.decode.DetectionDecoder;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.ModelMetadata;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.preprocess.ResizeInfo;
import org.retinanet4j.spec.RetinaNetSpec;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a saved RetinaNet on images, entirely as its {@link RetinaNetSpec} says: decode as training does, prepare
 * with the spec's {@link InputBatcher} (resize to the model's input size, normalise with its mean and standard
 * deviation, pad to its padding multiple), run the graph, decode against the spec's anchors with its decoder
 * settings (or the ones given) and map boxes back to the original image. Returns detections per image in original
 * pixels. Not thread-safe (one decoder and graph per instance).
 */
public final class Detector {

    private final ComputationGraph graph;
    private final ModelMetadata metadata;
    private final DetectionDecoder decoder;
    private final InputBatcher batcher;
    private final InputPreparer preparer;

    /** With the model's own decoder settings. */
    public Detector(SavedModel model) {
        this(model, model.metadata().spec().decoder());
    }

    /** With other decoder settings (e.g. a higher score threshold, or COCO's 100 detections per image). */
    public Detector(SavedModel model, DecoderConfig decoding) {
        this.graph = model.graph();
        this.metadata = model.metadata();
        RetinaNetSpec spec = metadata.spec();
        this.decoder = new DetectionDecoder(new AnchorGenerator(spec.anchors()), decoding, metadata.classNames());
        this.batcher = InputBatcher.of(spec);
        this.preparer = new InputPreparer(batcher);
    }

    /** Loads a model file written by training ({@link ModelBundle}). */
    public static Detector load(Path modelFile) {
        return new Detector(ModelBundle.load(modelFile));
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    public RetinaNetSpec spec() {
        return metadata.spec();
    }

    public ComputationGraph graph() {
        return graph;
    }

    /** How images become network input. */
    public InputBatcher inputBatcher() {
        return batcher;
    }

    /** How network outputs become detections (anchors and decoder settings). */
    public DetectionDecoder decoder() {
        return decoder;
    }

    public DecoderConfig decoderConfig() {
        return decoder.config();
    }

    /** Detections in an image file (any format the data pipeline reads). */
    public List<Detection> detect(Path imageFile) throws IOException {
        return detect(preparer.prepare(imageFile)).get(0);
    }

    public List<Detection> detect(BufferedImage image) {
        return detect(preparer.prepare(image)).get(0);
    }

    /** One list of detections per image, run as one batch. */
    public List<List<Detection>> detectImages(List<RgbImage> images) {
        List<ResizedImage> resized = new ArrayList<>(images.size());
        for (RgbImage img : images) {
            resized.add(batcher.resize(img, false));
        }
        return detect(batcher.batch(resized));
    }

    /** Detections for prepared input (from this detector's {@link #inputBatcher()}). */
    public List<List<Detection>> detect(InputBatch input) {
        return detect(input.images(), input.geometry());
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
