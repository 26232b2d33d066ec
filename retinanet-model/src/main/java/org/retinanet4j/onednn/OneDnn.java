package org.retinanet4j.onednn;

import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * oneDNN, called directly, for this process: whether the convolutions use it, its CPU engine, one stream per
 * thread, and checked calls.
 *
 * <p>libnd4j contains oneDNN too, but reaches it only through {@code conv2d}/{@code conv2d_bp} on plain NCHW
 * arrays, which ran 2 to 8 times slower than oneDNN's own kernels for the same convolutions
 * (docs/benchmarks.md, "Model"). JavaCPP's build of oneDNN shares ND4J's OpenMP runtime (no second thread pool).
 * {@code -Dretinanet.onednn=false} turns it off (libnd4j's path then runs, as on other backends).
 */
public final class OneDnn {
    public static final String PROPERTY = "retinanet.onednn";
    private static final Logger log = LoggerFactory.getLogger(OneDnn.class);
    private static final ThreadLocal<dnnl_stream> STREAMS = ThreadLocal.withInitial(OneDnn::newStream);

    private OneDnn() {
    }

    /** True when float convolutions should run through oneDNN: not switched off, ND4J on the CPU, oneDNN loaded. */
    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY)) && Loaded.ENGINE != null;
    }

    /** Loads oneDNN on first use (the JVM runs this class's initialiser once, thread-safely). */
    private static final class Loaded {
        static final dnnl_engine ENGINE = load();
    }

    /** The CPU engine, or null where oneDNN is not for this process (another backend, natives missing). */
    private static dnnl_engine load() {
        String backend = Nd4j.getBackend().getClass().getName();
        if (!backend.startsWith("org.nd4j.linalg.cpu.")) {
            log.debug("ND4J backend {}: convolutions run through the backend's own ops", backend);
            return null;
        }
        try {
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            dnnl_engine e = new dnnl_engine();
            check(dnnl_engine_create(e, dnnl_cpu, 0), "creating the CPU engine");
            dnnl_version_t v = dnnl_version();
            log.debug("oneDNN {}.{}.{} runs the convolutions", v.major(), v.minor(), v.patch());
            return e;
        } catch (LinkageError | RuntimeException e) {
            log.warn("oneDNN could not be loaded ({}); convolutions run through libnd4j's conv2d (slower)", e.toString());
            return null;
        }
    }

    static dnnl_engine engine() {
        return Loaded.ENGINE;
    }

    /** This thread's stream (oneDNN streams must not be shared between threads). */
    static dnnl_stream stream() {
        return STREAMS.get();
    }

    private static dnnl_stream newStream() {
        dnnl_stream s = new dnnl_stream();
        check(dnnl_stream_create(s, engine(), dnnl_stream_default_flags), "creating a stream");
        return s;
    }

    static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN: " + what + " failed (status " + status + ")");
        }
    }

    /** A float memory descriptor for {@code dims} in the layout {@code tag} ({@code dnnl_format_tag_any} to let the primitive choose). */
    static dnnl_memory_desc_t desc(long[] dims, int tag) {
        dnnl_memory_desc_t d = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(d, dims.length, dims, dnnl_f32, tag), "describing " + java.util.Arrays.toString(dims));
        return d;
    }

    /** A memory object for {@code desc} over {@code data} (null: set later with {@link #point}). */
    static dnnl_memory memory(dnnl_memory_desc_t desc, Pointer data) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, desc, engine(), data), "creating a memory object");
        return m;
    }

    /** Points {@code memory} at the elements of {@code a}, a float array laid out densely in C order. */
    static void point(dnnl_memory memory, INDArray a, String what) {
        if (a.dataType() != DataType.FLOAT || !denseC(a)) {
            throw new IllegalArgumentException(what + ": oneDNN needs a dense C-ordered float array, got "
                    + a.dataType() + " shape " + java.util.Arrays.toString(a.shape()) + " strides "
                    + java.util.Arrays.toString(a.stride()));
        }
        check(dnnl_memory_set_data_handle(memory, a.data().addressPointer()), "pointing at " + what);
    }

    /** True when element [i0, i1, ...] is at offset sum(ik * C-order stride k), whatever the order flag says. */
    public static boolean denseC(INDArray a) {
        long expected = 1;
        for (int d = a.rank() - 1; d >= 0; d--) {
            if (a.size(d) > 1 && a.stride(d) != expected) {
                return false;
            }
            expected *= a.size(d);
        }
        return true;
    }

    static boolean same(dnnl_memory_desc_t a, dnnl_memory_desc_t b) {
        return dnnl_memory_desc_equal(a, b) == 1;
    }
}
