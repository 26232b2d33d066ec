package org.retinanet4j.bench;

import java.nio.file.Path;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.retinanet4j.backbone.BatchNormMode;
import org.retinanet4j.torchvision.ImportOptions;
import org.retinanet4j.torchvision.ImportSummary;
import org.retinanet4j.torchvision.StateDictLoader;
import org.retinanet4j.torchvision.TorchvisionStateDict;
import org.retinanet4j.zoo.RetinaNet;

/**
 * Time to import torchvision's retinanet_resnet50_fpn (91 classes): reading the .npz, building the graph, and
 * mapping + checking + assigning the 301 tensors (BatchNorm folded or trainable).
 *
 * <pre>
 *   /usr/bin/python3 tools/export_torchvision_weights.py --random --num-classes 91 --bn-eps 0 --out r50.npz
 *   RETINANET_MAIN=org.retinanet4j.bench.TorchvisionImportBenchmark ./retinanet r50.npz [repeats]
 * </pre>
 */
public final class TorchvisionImportBenchmark {

    private TorchvisionImportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: TorchvisionImportBenchmark FILE.npz [repeats]");
            System.exit(2);
        }
        Path npz = Path.of(args[0]);
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            TorchvisionStateDict weights = TorchvisionStateDict.read(npz);
            long t1 = System.nanoTime();
            for (BatchNormMode mode : BatchNormMode.values()) {
                long b0 = System.nanoTime();
                ComputationGraph net = RetinaNet.builder().numClasses(91).batchNormMode(mode).build().init();
                long b1 = System.nanoTime();
                ImportSummary s = StateDictLoader.load(net, weights, ImportOptions.defaults());
                long b2 = System.nanoTime();
                System.out.printf("run %d: read %.0f ms; %s BN: build graph %.0f ms, import %.0f ms (%d tensors, %d BN "
                                + "folded)%n", r, (t1 - t0) / 1e6, mode, (b1 - b0) / 1e6, (b2 - b1) / 1e6,
                        s.tensorsImported(), s.batchNormsFolded());
            }
        }
    }
}
