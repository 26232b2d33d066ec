package org.retinanet4j.persist;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a saved-model file holds, copied from a graph at one moment: the configuration JSON, a copy of the
 * parameters and (optionally) of the updater state, and the extra entries (metadata, training state). Taken on the
 * training thread between two steps, it can be written on another thread while training goes on: the writer never
 * sees a half-updated model. Costs one copy of the parameters and updater state in off-heap memory until
 * {@link #release()}.
 */
public final class BundleSnapshot {
    private final byte[] configurationJson;
    private final INDArray params;
    private final INDArray updaterState;
    private final Map<String, byte[]> entries;

    private BundleSnapshot(byte[] configurationJson, INDArray params, INDArray updaterState,
                           Map<String, byte[]> entries) {
        this.configurationJson = configurationJson;
        this.params = params;
        this.updaterState = updaterState;
        this.entries = entries;
    }

    /** Copies {@code graph} now (parameters, updater state when {@code withUpdater}) with {@code entries}. */
    public static BundleSnapshot of(ComputationGraph graph, boolean withUpdater, Map<String, byte[]> entries) {
        Objects.requireNonNull(graph, "graph");
        byte[] json = graph.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8);
        // copies outside any workspace, so they outlive the current step
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray params = graph.params().dup();
            INDArray state = null;
            if (withUpdater) {
                ComputationGraphUpdater u = graph.getUpdater(true);
                INDArray view = u == null ? null : u.getStateViewArray();
                state = view == null || view.length() == 0 ? null : view.dup();
            }
            return new BundleSnapshot(json, params, state, new LinkedHashMap<>(entries));
        }
    }

    byte[] configurationJson() {
        return configurationJson;
    }

    INDArray params() {
        return params;
    }

    /** Null when the updater state was not asked for or is empty (as DL4J's ModelSerializer then writes none). */
    INDArray updaterState() {
        return updaterState;
    }

    Map<String, byte[]> entries() {
        return entries;
    }

    /** Frees the copies at once instead of leaving them to the garbage collector. */
    public void release() {
        for (INDArray a : new INDArray[]{params, updaterState}) {
            if (a != null && a.closeable()) {
                a.close();
            }
        }
    }
}
