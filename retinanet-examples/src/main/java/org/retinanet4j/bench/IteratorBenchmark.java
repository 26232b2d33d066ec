package org.retinanet4j.bench;

import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.retinanet4j.data.DetectionDataset;
import org.retinanet4j.data.coco.CocoInstancesReader;
import org.retinanet4j.data.image.InputBatcher;
import org.retinanet4j.data.image.ResizedImage;
import org.retinanet4j.data.image.RgbImage;
import org.retinanet4j.data.image.RgbImageDecoder;
import org.retinanet4j.data.iterator.RetinaNetIterator;
import org.retinanet4j.data.synthetic.ShapesConfig;
import org.retinanet4j.data.synthetic.ShapesDataset;
import org.retinanet4j.data.synthetic.ShapesDatasetGenerator;
import org.retinanet4j.data.voc.VocReader;
import org.retinanet4j.spec.RetinaNetSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Images per second of {@link RetinaNetIterator} for a model of input 512x512 with targets (decode, resize, flip,
 * normalise, pad, match anchors, encode), for several loader-thread counts, consuming batches as fast as they
 * come. Source: a generated shapes dataset of 512x512 PNGs (default), or real JPEG photos with {@code voc=DIR} (a
 * Pascal VOC folder such as ../shared/data/voc2012-sample; shorter side to 512, padded to a multiple of 128).
 *
 * <pre>RETINANET_MAIN=org.retinanet4j.bench.IteratorBenchmark ./retinanet [threads=0,1,2] [images=64] [batch=4]
 *     [classes=91] [epochs=3] [voc=DIR]</pre>
 */
public final class IteratorBenchmark {

    private IteratorBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = new HashMap<>();
        for (String a : args) {
            String[] kv = a.split("=", 2);
            opt.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        String[] threads = opt.getOrDefault("threads", "0,1,2").split(",");
        int images = Integer.parseInt(opt.getOrDefault("images", "64"));
        int batch = Integer.parseInt(opt.getOrDefault("batch", "4"));
        int classes = Integer.parseInt(opt.getOrDefault("classes", "91"));
        int epochs = Integer.parseInt(opt.getOrDefault("epochs", "3"));
        Path tmp = Files.createTempDirectory("iterator-bench");
        try {
            DetectionDataset dataset;
            String source;
            if (opt.containsKey("voc")) {
                dataset = new VocReader().read(Path.of(opt.get("voc")), null);
                source = "VOC JPEG photos from " + opt.get("voc");
            } else {
                ShapesDataset out = new ShapesDatasetGenerator(
                        new ShapesConfig(images, 1, 512, 32, 256, 4, 0.1, 0.5, 1)).generate(tmp);
                dataset = new CocoInstancesReader().read(out.trainAnnotations(), out.trainImages());
                source = "synthetic 512x512 PNG shapes";
            }
            RetinaNetSpec spec = RetinaNetSpec.builder().numClasses(Math.max(classes, dataset.categories().size()))
                    .inputSize(512, 512).build();
            System.out.printf(Locale.ROOT, "%s: %d images, %d boxes; input 512x512, batch %d, %d classes in the "
                            + "targets, %d processors%n", source, dataset.numImages(), dataset.numBoxes(), batch,
                    Math.max(classes, dataset.categories().size()), Runtime.getRuntime().availableProcessors());
            stageCosts(dataset, InputBatcher.of(spec));
            for (String t : threads) {
                int n = Integer.parseInt(t.trim());
                try (RetinaNetIterator it = RetinaNetIterator.builder(dataset, spec).withTargets().batchSize(batch)
                        .training(true).seed(7).loaderThreads(n).build()) {
                    consume(it, 1);   // warm-up epoch (JIT, anchor cache, file cache)
                    long start = System.nanoTime();
                    long cpu0 = processCpuNanos();
                    long seen = consume(it, epochs);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double cpuMs = (processCpuNanos() - cpu0) / 1e6 / seen;
                    // CPU time per image: the pipeline's cost, steadier than images/s on a machine shared with others
                    System.out.printf(Locale.ROOT, "loader threads %d: %d images in %.2f s = %.1f images/s, "
                            + "process CPU %.2f ms/image (skipped %d)%n", n, seen, seconds, seen / seconds, cpuMs,
                            it.skippedImages());
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Single-thread cost per image of each pipeline stage (second pass over the images, files cached). */
    private static void stageCosts(DetectionDataset dataset, InputBatcher batcher) throws IOException {
        RgbImageDecoder decoder = new RgbImageDecoder();
        long[] nanos = new long[3];
        for (int pass = 0; pass < 2; pass++) {
            java.util.Arrays.fill(nanos, 0);
            for (int i = 0; i < dataset.numImages(); i++) {
                long t0 = System.nanoTime();
                RgbImage image = decoder.decode(dataset.imagePath(i));
                long t1 = System.nanoTime();
                ResizedImage resized = batcher.resize(image, false);
                long t2 = System.nanoTime();
                batcher.batch(java.util.List.of(resized));
                long t3 = System.nanoTime();
                nanos[0] += t1 - t0;
                nanos[1] += t2 - t1;
                nanos[2] += t3 - t2;
            }
        }
        int n = dataset.numImages();
        System.out.printf(Locale.ROOT, "per image, one thread: decode %.1f ms, resize %.1f ms, normalise+pad+INDArray %.1f ms%n",
                nanos[0] / 1e6 / n, nanos[1] / 1e6 / n, nanos[2] / 1e6 / n);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long consume(RetinaNetIterator it, int epochs) {
        long images = 0;
        for (int e = 0; e < epochs; e++) {
            it.reset();
            while (it.hasNext()) {
                MultiDataSet mds = it.next();
                images += mds.getFeatures(0).size(0);
            }
        }
        return images;
    }
}
