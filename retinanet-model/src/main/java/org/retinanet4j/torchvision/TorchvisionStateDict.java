package org.retinanet4j.torchvision;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.retinanet4j.torchvision.pth.PthReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A torchvision {@code state_dict}: tensors by torchvision name, in file order, read from either
 * <ul>
 *   <li>a {@code .pth} file as {@code torch.save(model.state_dict(), f)} writes it (zip or legacy format, read in
 *       Java by {@link PthReader}); the architecture, class count and BatchNorm eps are then inferred from the
 *       names and shapes ({@link StateDictLayout}), pre-0.13 torchvision names are upgraded and
 *       {@code num_batches_tracked} is dropped; or</li>
 *   <li>the {@code .npz} written by {@code tools/export_torchvision_weights.py}, with what the exporter recorded in
 *       its {@code __meta__} entry.</li>
 * </ul>
 * The format is told from the content, not the file name.
 */
public final class TorchvisionStateDict {

    private static final Logger LOG = LoggerFactory.getLogger(TorchvisionStateDict.class);

    /** Name of the metadata entry the exporter adds; it is not a tensor. */
    public static final String META_ENTRY = "__meta__";
    /** BatchNorm eps torchvision uses unless told otherwise (nn.BatchNorm2d and FrozenBatchNorm2d default). */
    public static final double DEFAULT_BN_EPS = 1e-5;

    private final Path source;
    private final Map<String, INDArray> tensors;
    private final Double bnEps;
    private final String arch;
    private final Integer numClasses;

    private TorchvisionStateDict(Path source, Map<String, INDArray> tensors, Double bnEps, String arch,
                                 Integer numClasses) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.bnEps = bnEps;
        this.arch = arch;
        this.numClasses = numClasses;
    }

    /**
     * Reads a {@code .pth} or an exported {@code .npz} (told apart by content); an {@code .npz} without
     * {@code __meta__} is allowed (then eps must come from the caller).
     */
    public static TorchvisionStateDict read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        if (isTorchFile(file)) {
            return readPth(file);
        }
        return readNpz(file);
    }

    private static boolean isTorchFile(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(16);
        }
        if (PthReader.isLegacyFormat(head)) {
            return true;
        }
        if (head.length < 4 || head[0] != 'P' || head[1] != 'K') {
            throw new IOException(file + ": neither a .pth file (torch.save) nor an .npz file "
                    + "(tools/export_torchvision_weights.py)");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return PthReader.isTorchZip(zip);
        } catch (ZipException e) {
            throw new IOException(file + ": not a complete zip archive (truncated or damaged?): " + e.getMessage(), e);
        }
    }

    private static TorchvisionStateDict readPth(Path file) throws IOException {
        Map<String, INDArray> all = new LinkedHashMap<>();
        PthReader.readStateDict(file).forEach((name, tensor) -> {
            if (!name.endsWith("num_batches_tracked")) {   // BatchNorm bookkeeping, no weights
                all.put(name, tensor);
            }
        });
        Map<String, INDArray> tensors = StateDictLayout.upgradeOldNames(all);
        String arch = StateDictLayout.architecture(tensors);
        Integer classes = StateDictLayout.numClasses(tensors);
        double eps = StateDictLayout.defaultBnEps(arch, classes);
        LOG.info("{}: {} tensors, {}{}; BatchNorm eps {} (what torchvision runs such weights with; --bn-eps "
                        + "overrides)", file, tensors.size(), arch == null ? "unknown architecture" : arch,
                classes == null ? "" : ", " + classes + " classes", eps);
        return new TorchvisionStateDict(file, tensors, eps, arch, classes);
    }

    private static TorchvisionStateDict readNpz(Path npz) throws IOException {
        Map<String, INDArray> all = new LinkedHashMap<>(NpzReader.read(npz));
        INDArray metaBytes = all.remove(META_ENTRY);
        Double eps = null;
        String arch = null;
        Integer classes = null;
        if (metaBytes != null) {
            JsonNode meta;
            try {
                meta = new ObjectMapper().readTree(NpzReader.utf8(metaBytes));
            } catch (IOException e) {
                throw new IOException(npz + ": entry " + META_ENTRY + " is not JSON: " + e.getMessage(), e);
            }
            if (meta.hasNonNull("bn_eps")) {
                eps = meta.get("bn_eps").asDouble();
            }
            arch = meta.hasNonNull("arch") ? meta.get("arch").asText() : null;
            classes = meta.hasNonNull("num_classes") ? meta.get("num_classes").asInt() : null;
        }
        return new TorchvisionStateDict(npz, StateDictLayout.upgradeOldNames(all), eps, arch, classes);
    }

    /** Wraps tensors held in memory (tests, other exporters). */
    public static TorchvisionStateDict of(Path source, Map<String, INDArray> tensors, Double bnEps) {
        return new TorchvisionStateDict(source, new LinkedHashMap<>(tensors), bnEps, null, null);
    }

    public Path source() {
        return source;
    }

    /** Tensors by torchvision name, in file order. */
    public Map<String, INDArray> tensors() {
        return tensors;
    }

    /**
     * The BatchNorm eps recorded by the exporter, the one torchvision runs a {@code .pth}'s weights with, or null
     * for an {@code .npz} without metadata.
     */
    public Double recordedBnEps() {
        return bnEps;
    }

    /** The architecture recorded or inferred (e.g. "retinanet_resnet50_fpn", "resnet50"), or null. */
    public String arch() {
        return arch;
    }

    /** The RetinaNet class count recorded or inferred, or null. */
    public Integer numClasses() {
        return numClasses;
    }
}
