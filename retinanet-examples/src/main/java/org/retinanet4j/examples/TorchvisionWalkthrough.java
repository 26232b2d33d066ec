package org.retinanet4j.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.anchors.AnchorGenerator;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.image.InputBatch;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.data.image.RgbImage;
import org.retinanet4j.data.image.RgbImageDecoder;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.data.iterator.SampleMetadata;
import org.retinanet4j.decode.DecoderConfig;
import org.retinanet4j.decode.Detection;
import org.retinanet4j.decode.DetectionDecoder;
import org.retinanet4j.eval.CocoDetections;
import org.retinanet4j.eval.CocoEvaluator;
import org.retinanet4j.eval.CocoGroundTruth;
import org.retinanet4j.eval.CocoStats;
import org.retinanet4j.finetune.FineTuning;
import org.retinanet4j.persist.ModelBundle;
import org.retinanet4j.persist.SavedModel;
import org.retinanet4j.preprocess.ResizeInfo;
import org.retinanet4j.spec.RetinaNetSpec;
import org.retinanet4j.torchvision.TorchvisionModelImport;
import org.retinanet4j.train.OptimizationRecipe;
import org.retinanet4j.train.OptimizerKind;
import org.retinanet4j.train.TrainerConfig;

/**
 * The code of the walkthroughs in docs/torchvision-walkthroughs.md: import torchvision weights, detect, fine-tune
 * on a COCO-format dataset, evaluate. The docs include the regions between {@code // snippet:NAME} and
 * {@code // end-snippet} verbatim; a test runs these methods and checks that the docs still show this code.
 */
public final class TorchvisionWalkthrough {

    private TorchvisionWalkthrough() {
    }

    /** Step 1: torchvision's COCO RetinaNet (exported to .npz) as a model file the project's tools load. */
    public static void importCocoWeights(Path npz, Path modelFile) throws IOException {
        // snippet:import
        SavedModel coco = TorchvisionModelImport.from(npz)  // weights from tools/export_torchvision_weights.py
                .inputSize(512, 512)                          // network input; images are resized to fit
                .run();                                       // strict: every tensor must fit, or an error names it
        ModelBundle.save(modelFile, coco);
        // end-snippet
    }

    /** Step 2: detections on one image, boxes in the image's own pixels. */
    public static List<Detection> detect(Path modelFile, Path imageFile) throws IOException {
        // snippet:detect
        SavedModel model = ModelBundle.load(modelFile);
        RetinaNetSpec spec = model.metadata().spec();              // input size, normalisation, anchors, decoder
        RgbImage image = new RgbImageDecoder().decode(imageFile);
        InputBatch input = InputBatcher.of(spec).single(image);    // resize, normalise, pad to a multiple of 128
        INDArray[] out = model.graph().output(false, input.images());   // cls logits [1, A*K], box regressions [1, A*4]
        DetectionDecoder decoder = new DetectionDecoder(new AnchorGenerator(spec.anchors()), spec.decoder(),
                model.metadata().classNames());
        List<Detection> detections = decoder.decode(out[0], out[1], input.geometry()).get(0);
        // end-snippet
        return detections;
    }

    /** Step 3: fine-tune an imported model on a COCO-format dataset with its own classes. */
    public static SavedModel fineTune(Path modelFile, Path annotations, Path imageDir, int side, int iterations,
                                      Path outFile) throws IOException {
        // snippet:fine-tune
        SavedModel imported = ModelBundle.load(modelFile);
        DetectionDataset train = new CocoInstancesReader().read(annotations, imageDir);
        long[] categoryIds = train.categories().categoryIds();
        SavedModel tuned = FineTuning.from(imported)           // the imported model's spec, with your classes:
                .classes(Arrays.asList(train.categories().names()),  // a new classification predictor
                        Arrays.stream(categoryIds).mapToInt(Math::toIntExact).toArray())
                .trainableBackboneLayers(0)       // 0 = frozen backbone; 3 = torchvision's default; 5 = all
                .inputSize(side, side)
                .build();
        ComputationGraph net = tuned.graph();
        OptimizationRecipe.apply(net, TrainerConfig.builder()     // the optimiser comes with the training recipe
                .optimizer(OptimizerKind.ADAM).learningRate(1e-3).warmup(0, 1).build());
        try (RetinaNetIterator batches = RetinaNetIterator.builder(train, tuned.metadata().spec())
                .withTargets().batchSize(4).training(true).build()) {
            for (int i = 0; i < iterations; i++) {
                if (!batches.hasNext()) {
                    batches.reset();                  // next epoch
                }
                net.fit(batches.next());
            }
        }
        ModelBundle.save(outFile, tuned);             // the trained graph with its spec and classes
        // end-snippet
        return tuned;
    }

    /** Step 4: COCO box AP of a model on a COCO-format dataset. */
    public static CocoStats evaluate(Path modelFile, Path annotations, Path imageDir) throws IOException {
        // snippet:evaluate
        SavedModel model = ModelBundle.load(modelFile);
        DetectionDataset val = new CocoInstancesReader().read(annotations, imageDir);
        RetinaNetSpec spec = model.metadata().spec();
        DetectionDecoder decoder = new DetectionDecoder(new AnchorGenerator(spec.anchors()),
                spec.decoder().withDetectionsPerImage(DecoderConfig.COCO_EVAL_DETECTIONS_PER_IMAGE),
                model.metadata().classNames());
        CocoDetections detections = new CocoDetections();
        try (RetinaNetIterator batches = RetinaNetIterator.builder(val, spec).batchSize(4).build()) {
            while (batches.hasNext()) {
                MultiDataSet batch = batches.next();
                List<SampleMetadata> samples = batches.lastBatchMetadata();
                INDArray[] out = model.graph().output(false, batch.getFeatures(0));
                List<ResizeInfo> infos = new ArrayList<>();
                samples.forEach(s -> infos.add(s.resizeInfo()));
                List<List<Detection>> perImage = decoder.decode(out[0], out[1], infos);
                for (int i = 0; i < samples.size(); i++) {
                    for (Detection d : perImage.get(i)) {
                        detections.add(samples.get(i).imageId(), model.metadata().categoryIds()[d.classIndex()],
                                d.x1(), d.y1(), d.width(), d.height(), d.score());
                    }
                }
            }
        }
        CocoStats stats = new CocoEvaluator().evaluate(CocoGroundTruth.fromDataset(val), detections).stats();
        // end-snippet
        return stats;
    }
}
