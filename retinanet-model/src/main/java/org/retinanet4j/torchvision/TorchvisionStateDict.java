package org.retinanet4j.torchvision;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * A torchvision {@code state_dict} read from the {@code .npz} written by {@code tools/export_torchvision_weights.py}:
 * tensors by torchvision name, in file order, plus what the exporter recorded in its {@code __meta__} entry.
 */
public final class TorchvisionStateDict {

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

    /** Reads an exported file; a missing {@code __meta__} entry is allowed (then eps must come from the caller). */
    public static TorchvisionStateDict read(Path npz) throws IOException {
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
        return new TorchvisionStateDict(npz, all, eps, arch, classes);
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

    /** The BatchNorm eps recorded by the exporter, or null when the file has no metadata. */
    public Double recordedBnEps() {
        return bnEps;
    }

    /** The architecture recorded by the exporter (e.g. "retinanet_resnet50_fpn", "resnet50"), or null. */
    public String arch() {
        return arch;
    }

    /** The RetinaNet class count recorded by the exporter, or null. */
    public Integer numClasses() {
        return numClasses;
    }
}
